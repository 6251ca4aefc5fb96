using VPNLens.Core.Statistics;

namespace VPNLens.Core.Verdicts;

/// <summary>What a comparison of two sets of measurements may claim.</summary>
public enum GapCall
{
    /// <summary>The 95 % interval excludes no difference and the gap is larger than the run's noise floor.</summary>
    Different,

    /// <summary>The interval includes no difference, or the gap is inside the noise floor: a tie.</summary>
    WithinNoise,

    /// <summary>Too few measurements for an interval (one repetition, one measurement, a zero median).</summary>
    NoConfidence,
}

/// <summary>Two neighbours in a ranking and what can be said about the gap between them.</summary>
public sealed record Gap(string Better, string Worse, GapCall Call, MedianComparison Comparison, string Sentence);

/// <summary>Decides a <see cref="GapCall"/> from a comparison and the noise floor (the relative spread the run accepts as settled).</summary>
public static class GapRule
{
    public static GapCall Call(MedianComparison comparison, VerdictMetric metric, double noiseFloorPercent)
    {
        ArgumentNullException.ThrowIfNull(comparison);
        ArgumentNullException.ThrowIfNull(metric);
        if (comparison.Interval is null || comparison.Estimate is not { } estimate)
        {
            return GapCall.NoConfidence;
        }

        if (comparison.Interval.Contains(comparison.NoEffect))
        {
            return GapCall.WithinNoise;
        }

        var relative = comparison.Scale == ComparisonScale.Ratio
            ? Math.Abs(estimate - 1)
            : Math.Abs(estimate) / Math.Max(Math.Min(Math.Abs(comparison.MedianA), Math.Abs(comparison.MedianB)), double.Epsilon);
        var absoluteOk = comparison.Scale == ComparisonScale.Ratio || Math.Abs(estimate) > metric.AbsoluteFloor;
        return relative * 100 > noiseFloorPercent && absoluteOk ? GapCall.Different : GapCall.WithinNoise;
    }
}
