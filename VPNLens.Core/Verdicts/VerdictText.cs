using VPNLens.Core.Results;
using VPNLens.Core.Runs;
using VPNLens.Core.Statistics;

namespace VPNLens.Core.Verdicts;

/// <summary>The sentences of a verdict: gaps between neighbours and each VPN against direct, in the metric's own unit.</summary>
public static class VerdictText
{
    public static string Gap(VerdictMetric metric, string better, string worse, MedianComparison comparison, GapCall call)
    {
        ArgumentNullException.ThrowIfNull(metric);
        ArgumentNullException.ThrowIfNull(comparison);
        var betterName = Protocols.DisplayName(better);
        var worseName = Protocols.DisplayName(worse);
        if (comparison.Estimate is not { } estimate)
        {
            return $"{betterName} and {worseName}: {comparison.NoIntervalReason}";
        }

        var magnitude = Magnitude(metric, estimate);
        return call switch
        {
            GapCall.Different => $"{metric.Phrase(betterName, worseName, magnitude)} (95 % CI {Range(metric, comparison.Interval!)})",
            GapCall.WithinNoise => $"{betterName} and {worseName}: no difference beyond the noise ({magnitude}, 95 % CI {Range(metric, comparison.Interval!)})",
            _ when estimate == comparison.NoEffect => $"{betterName} and {worseName}: the same ({comparison.NoIntervalReason})",
            _ => $"{metric.Phrase(betterName, worseName, magnitude)} ({comparison.NoIntervalReason})",
        };
    }

    /// <summary>"91 % of direct", "+0.68 ms over direct", "+0.4 pp over direct", "×2.3 direct's"; null where it means nothing.</summary>
    public static string? VersusDirect(VerdictMetric metric, double median, double? directMedian)
    {
        ArgumentNullException.ThrowIfNull(metric);
        if (!metric.ComparedWithDirect || directMedian is not { } direct)
        {
            return null;
        }

        return metric.Unit switch
        {
            VerdictUnit.BitsPerSecond => direct > 0 ? $"{SignificantFigures.Format(median / direct * 100)} % of direct" : null,
            VerdictUnit.CpuSecondsPerGigabyte => direct > 0 ? $"{Quantities.Multiple(median / direct)} direct's" : null,
            VerdictUnit.Milliseconds => $"{Quantities.WithSign(Quantities.Milliseconds(Math.Abs(median - direct)), median - direct)} over direct",
            _ => $"{Quantities.WithSign(Quantities.PercentagePoints(Math.Abs(median - direct)), median - direct)} over direct",
        };
    }

    /// <summary>The gap's size: "19 %" faster, "×2.3" the CPU, "0.3 ms", "1.2 pp".</summary>
    public static string Magnitude(VerdictMetric metric, double estimate)
    {
        ArgumentNullException.ThrowIfNull(metric);
        return (metric.Scale, metric.HigherIsBetter) switch
        {
            (ComparisonScale.Ratio, true) => Quantities.Percent((estimate - 1) * 100),
            (ComparisonScale.Ratio, false) => Quantities.Multiple(estimate),
            _ => Amount(metric, Math.Abs(estimate)),
        };
    }

    /// <summary>"12–26 %", "−3.1 to 4.0 %", "×1.9–2.8", "0.12–0.48 ms".</summary>
    public static string Range(VerdictMetric metric, ConfidenceInterval interval)
    {
        ArgumentNullException.ThrowIfNull(metric);
        ArgumentNullException.ThrowIfNull(interval);
        var (low, high, unit) = (metric.Scale, metric.HigherIsBetter) switch
        {
            (ComparisonScale.Ratio, true) => ((interval.Low - 1) * 100, (interval.High - 1) * 100, " %"),
            (ComparisonScale.Ratio, false) => (interval.Low, interval.High, string.Empty),
            _ when metric.Unit == VerdictUnit.Percent => (interval.Low, interval.High, " pp"),
            _ => (interval.Low, interval.High, " ms"),
        };
        var prefix = metric.Scale == ComparisonScale.Ratio && !metric.HigherIsBetter ? "×" : string.Empty;
        var separator = low < 0 || high < 0 ? " to " : "–";
        return $"{prefix}{Number(low)}{separator}{Number(high)}{unit}";
    }

    private static string Amount(VerdictMetric metric, double value) => metric.Unit switch
    {
        VerdictUnit.Percent => Quantities.PercentagePoints(value),
        VerdictUnit.BitsPerSecond => Quantities.Rate(value),
        VerdictUnit.CpuSecondsPerGigabyte => Quantities.CpuPerGigabyte(value),
        _ => Quantities.Milliseconds(value),
    };

    private static string Number(double value) => value < 0 ? "−" + SignificantFigures.Format(-value) : SignificantFigures.Format(value);
}
