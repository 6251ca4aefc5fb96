using System.Globalization;
using VPNLens.Core.Statistics;

namespace VPNLens.Web.Figures;

/// <summary>How figures read on the pages: fixed units, invariant culture, "—" for nothing measured.</summary>
public static class FigureFormat
{
    public const string None = "—";

    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static string Value(double? value, MetricUnit unit) => value is not { } v ? None : unit switch
    {
        MetricUnit.BitsPerSecond => Rate(v),
        MetricUnit.Milliseconds => Milliseconds(v),
        MetricUnit.Percent => Percent(v),
        _ => string.Create(Invariant, $"{v:0.###} CPU-s/GB"),
    };

    public static string Rate(double? bitsPerSecond) => bitsPerSecond switch
    {
        null => None,
        >= 1e9 => string.Create(Invariant, $"{bitsPerSecond.Value / 1e9:0.00} Gbit/s"),
        _ => string.Create(Invariant, $"{bitsPerSecond.Value / 1e6:0.0} Mbit/s"),
    };

    public static string Milliseconds(double? ms) => ms switch
    {
        null => None,
        >= 1000 => string.Create(Invariant, $"{ms.Value / 1000:0.00} s"),
        >= 10 => string.Create(Invariant, $"{ms.Value:0} ms"),
        _ => string.Create(Invariant, $"{ms.Value:0.###} ms"),
    };

    public static string Percent(double? percent) => percent is null ? None : string.Create(Invariant, $"{percent.Value:0.####} %");

    /// <summary>"91 % of direct" for a share of 0.91.</summary>
    public static string Share(double? share) => share is null ? string.Empty : string.Create(Invariant, $"{share.Value * 100:0} % of direct");

    /// <summary>"± 1.2 % · n=3 · 800.0–1000.0 Mbit/s" for repeated measurements.</summary>
    public static string Spread(SampleSummary? samples, MetricUnit unit) => samples is null ? string.Empty : samples.Count == 1
        ? "1 run"
        : string.Create(Invariant, $"± {samples.RelativeStandardDeviationPercent:0.0} % · n={samples.Count} · {Value(samples.Min, unit)} – {Value(samples.Max, unit)}");

    public static string Duration(TimeSpan? duration) => duration switch
    {
        null => string.Empty,
        { TotalMinutes: >= 1 } d => string.Create(Invariant, $"{(int)d.TotalMinutes} min {d.Seconds} s"),
        { TotalSeconds: >= 10 } d => string.Create(Invariant, $"{d.TotalSeconds:0} s"),
        { } d => string.Create(Invariant, $"{d.TotalSeconds:0.0} s"),
    };

    public static string Time(DateTimeOffset? at) => at is null ? None : at.Value.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", Invariant);
}
