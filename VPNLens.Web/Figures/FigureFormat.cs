using System.Globalization;
using VPNLens.Core.Results;
using VPNLens.Core.Statistics;
using VPNLens.Core.Verdicts;

namespace VPNLens.Web.Figures;

/// <summary>
/// How figures read on the pages, in the email and in the verdicts: Core's <see cref="Quantities"/> (three significant
/// figures, fixed units, invariant culture, "—" for nothing measured) with the page's units on top. A table passes
/// one <see cref="RateScale"/> so its rates read in one unit.
/// </summary>
public static class FigureFormat
{
    public const string None = Quantities.None;

    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static string Value(double? value, MetricUnit unit, RateScale? scale = null) => value is not { } v ? None : unit switch
    {
        MetricUnit.BitsPerSecond => Rate(v, scale),
        MetricUnit.Milliseconds => Milliseconds(v),
        MetricUnit.Percent => Percent(v),
        _ => Quantities.CpuPerGigabyte(v),
    };

    public static string Value(double? value, VerdictUnit unit, RateScale? scale = null) => unit switch
    {
        VerdictUnit.BitsPerSecond => Value(value, MetricUnit.BitsPerSecond, scale),
        VerdictUnit.Milliseconds => Value(value, MetricUnit.Milliseconds),
        VerdictUnit.Percent => Value(value, MetricUnit.Percent),
        _ => Value(value, MetricUnit.CpuSecondsPerGigabyte),
    };

    public static string Rate(double? bitsPerSecond, RateScale? scale = null) => Quantities.Rate(bitsPerSecond, scale);

    public static string Milliseconds(double? ms) => Quantities.Milliseconds(ms);

    public static string Percent(double? percent) => Quantities.Percent(percent);

    /// <summary>"91.0 % of direct" for a share of 0.91.</summary>
    public static string Share(double? share) => share is null ? string.Empty : $"{SignificantFigures.Format(share.Value * 100)} % of direct";

    /// <summary>"± 1.7 % · n=3 · 798–825 Mbit/s" for repeated measurements.</summary>
    public static string Spread(SampleSummary? samples, MetricUnit unit, RateScale? scale = null) => samples is null ? string.Empty : samples.Count == 1
        ? "1 run"
        : $"± {SignificantFigures.Format(samples.RelativeStandardDeviationPercent, 2)} % · n={samples.Count} · {Value(samples.Min, unit, scale ?? Quantities.ScaleFor([samples.Max]))} – {Value(samples.Max, unit, scale ?? Quantities.ScaleFor([samples.Max]))}";

    public static string Duration(TimeSpan? duration) => duration switch
    {
        null => string.Empty,
        { TotalMinutes: >= 1 } d => string.Create(Invariant, $"{(int)d.TotalMinutes} min {d.Seconds} s"),
        { TotalSeconds: >= 10 } d => string.Create(Invariant, $"{d.TotalSeconds:0} s"),
        { } d => string.Create(Invariant, $"{d.TotalSeconds:0.0} s"),
    };

    /// <summary>A moment in UTC, labelled as such ("2026-12-05 08:35:00 UTC"); the page's LocalTime component shows it in the viewer's zone.</summary>
    public static string Time(DateTimeOffset? at) => at is null ? None : at.Value.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", Invariant);
}
