using VPNLens.Core.Statistics;

namespace VPNLens.Core.Results;

/// <summary>The scale a table of rates uses: picked once from its largest value, so every cell reads alike.</summary>
public enum RateScale
{
    Megabits,
    Gigabits,
}

/// <summary>
/// Every figure as text, one way everywhere (pages, email, verdicts): three significant figures, fixed units,
/// invariant culture, "—" for nothing measured. Web's FigureFormat is this with the page's units on top.
/// </summary>
public static class Quantities
{
    public const string None = "—";

    public static RateScale ScaleFor(IEnumerable<double?> bitsPerSecond) =>
        bitsPerSecond.Where(v => v is not null).Select(v => Math.Abs(v!.Value)).DefaultIfEmpty(0).Max() >= 1e9 ? RateScale.Gigabits : RateScale.Megabits;

    public static string Rate(double? bitsPerSecond, RateScale? scale = null)
    {
        if (bitsPerSecond is not { } bps)
        {
            return None;
        }

        return (scale ?? ScaleFor([bps])) == RateScale.Gigabits
            ? $"{SignificantFigures.Format(bps / 1e9)} Gbit/s"
            : $"{SignificantFigures.Format(bps / 1e6)} Mbit/s";
    }

    public static string Milliseconds(double? ms) => ms switch
    {
        null => None,
        { } v when Math.Abs(v) >= 1000 => $"{SignificantFigures.Format(v / 1000)} s",
        { } v => $"{SignificantFigures.Format(v)} ms",
    };

    public static string Percent(double? percent) => percent is null ? None : $"{SignificantFigures.Format(percent.Value)} %";

    public static string PercentagePoints(double? points) => points is null ? None : $"{SignificantFigures.Format(points.Value)} pp";

    public static string CpuPerGigabyte(double? seconds) => seconds is null ? None : $"{SignificantFigures.Format(seconds.Value)} CPU-s/GB";

    public static string Multiple(double? ratio) => ratio is null ? None : $"×{SignificantFigures.Format(ratio.Value, 2)}";

    /// <summary>"+0.68" or "−0.3": a signed change, the minus a real minus sign.</summary>
    public static string WithSign(string magnitude, double value) => value < 0 ? "−" + magnitude.TrimStart('-') : "+" + magnitude;
}
