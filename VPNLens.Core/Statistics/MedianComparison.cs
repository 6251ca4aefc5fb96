using MathNet.Numerics.Random;
using MathNet.Numerics.Statistics;

namespace VPNLens.Core.Statistics;

/// <summary>How two sets of repetitions compare: as a ratio of their medians (a / b) or as a difference (a - b).</summary>
public enum ComparisonScale
{
    Ratio,
    Difference,
}

/// <summary>A two-sided confidence interval; Low ≤ High.</summary>
public sealed record ConfidenceInterval(double Low, double High, double Level)
{
    public bool Contains(double value) => value >= Low && value <= High;
}

/// <summary>
/// The medians of two samples compared, with a 95 % interval from a percentile bootstrap: each sample is resampled
/// with replacement on its own, the statistic (ratio or difference of the two medians) taken each time, and the
/// 2.5th and 97.5th percentiles of those statistics are the interval (Efron and Tibshirani 1993, ch. 13; the way of
/// reporting medians with nonparametric intervals follows Hoefler and Belli, SC '15). The generator is a Mersenne
/// Twister with a fixed seed, so the same data always give the same interval. With fewer than two values on either
/// side there is no interval and <see cref="NoIntervalReason"/> says why; a ratio over a zero median has no estimate.
/// </summary>
public sealed record MedianComparison(
    ComparisonScale Scale,
    double MedianA,
    double MedianB,
    int CountA,
    int CountB,
    double? Estimate,
    ConfidenceInterval? Interval,
    string? NoIntervalReason)
{
    public const int Resamples = 4000;
    public const int Seed = 20151115;
    public const double Level = 0.95;

    /// <summary>The value of the statistic when nothing differs: 1 for a ratio, 0 for a difference.</summary>
    public double NoEffect => Scale == ComparisonScale.Ratio ? 1 : 0;

    public static MedianComparison Ratio(IReadOnlyCollection<double> a, IReadOnlyCollection<double> b) => Compare(ComparisonScale.Ratio, a, b);

    public static MedianComparison Difference(IReadOnlyCollection<double> a, IReadOnlyCollection<double> b) => Compare(ComparisonScale.Difference, a, b);

    public static MedianComparison Compare(ComparisonScale scale, IReadOnlyCollection<double> a, IReadOnlyCollection<double> b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (a.Count == 0 || b.Count == 0)
        {
            throw new ArgumentException("Both samples need at least one value.");
        }

        var medianA = Descriptive.Median(a)!.Value;
        var medianB = Descriptive.Median(b)!.Value;
        if (scale == ComparisonScale.Ratio && medianB == 0)
        {
            return new(scale, medianA, medianB, a.Count, b.Count, null, null, "the median compared with is 0, so there is no ratio");
        }

        var estimate = Statistic(scale, medianA, medianB);
        if (a.Count < 2 || b.Count < 2)
        {
            return new(scale, medianA, medianB, a.Count, b.Count, estimate, null, "one repetition: no confidence can be given");
        }

        if (scale == ComparisonScale.Ratio && (a.Any(v => v <= 0) || b.Any(v => v <= 0)))
        {
            return new(scale, medianA, medianB, a.Count, b.Count, estimate, null, "a repetition measured 0, so the ratio has no interval");
        }

        return new(scale, medianA, medianB, a.Count, b.Count, estimate, Bootstrap(scale, [.. a], [.. b]), null);
    }

    private static double Statistic(ComparisonScale scale, double a, double b) => scale == ComparisonScale.Ratio ? a / b : a - b;

    private static ConfidenceInterval Bootstrap(ComparisonScale scale, double[] a, double[] b)
    {
        var random = new MersenneTwister(Seed);
        var resampleA = new double[a.Length];
        var resampleB = new double[b.Length];
        var statistics = new double[Resamples];
        for (var i = 0; i < Resamples; i++)
        {
            Resample(random, a, resampleA);
            Resample(random, b, resampleB);
            statistics[i] = Statistic(scale, ArrayStatistics.MedianInplace(resampleA), ArrayStatistics.MedianInplace(resampleB));
        }

        Array.Sort(statistics);
        var tail = (1 - Level) / 2;
        return new ConfidenceInterval(
            SortedArrayStatistics.QuantileCustom(statistics, tail, QuantileDefinition.R7),
            SortedArrayStatistics.QuantileCustom(statistics, 1 - tail, QuantileDefinition.R7),
            Level);
    }

    private static void Resample(MersenneTwister random, double[] from, double[] into)
    {
        for (var i = 0; i < into.Length; i++)
        {
            into[i] = from[random.Next(from.Length)];
        }
    }
}
