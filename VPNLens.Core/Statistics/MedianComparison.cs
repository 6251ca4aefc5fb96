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
/// The medians of two samples compared (their ratio a / b or difference a - b), with an exact distribution-free 95 %
/// interval for the shift between the samples (<see cref="ShiftInterval"/>; on the log scale for a ratio). Too few
/// values on either side for such an interval (three against three cannot reach 95 %) give none, and
/// <see cref="NoIntervalReason"/> says why; a ratio over a zero median has no estimate.
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

        var estimate = scale == ComparisonScale.Ratio ? medianA / medianB : medianA - medianB;
        if (a.Count < 2 || b.Count < 2)
        {
            return new(scale, medianA, medianB, a.Count, b.Count, estimate, null, "one repetition: no confidence can be given");
        }

        if (scale == ComparisonScale.Ratio && (a.Any(v => v <= 0) || b.Any(v => v <= 0)))
        {
            return new(scale, medianA, medianB, a.Count, b.Count, estimate, null, "a repetition measured 0, so the ratio has no interval");
        }

        // A ratio is a shift on the log scale.
        Func<double, double> into = scale == ComparisonScale.Ratio ? Math.Log : v => v;
        Func<double, double> back = scale == ComparisonScale.Ratio ? Math.Exp : v => v;
        var shift = ShiftInterval.For([.. a.Select(into)], [.. b.Select(into)], Level);
        var interval = shift is { } s ? new ConfidenceInterval(back(s.Low), back(s.High), Level) : null;
        return interval is null
            ? new(scale, medianA, medianB, a.Count, b.Count, estimate, null,
                $"{a.Count} and {b.Count} measurements are too few for an exact 95 % interval; 4 or more on each side are enough")
            : new(scale, medianA, medianB, a.Count, b.Count, estimate, interval, null);
    }
}
