namespace VPNLens.Core.Regressions;

/// <summary>
/// Watches one node × protocol × metric series of run medians. While no alert is open, each result gets a verdict from
/// a CUSUM of rank scores against a rolling baseline (<see cref="RankCusum"/>: Page's test over the normal scores of
/// each result's placement among the results before the candidate change): "worse" when the sum is above its
/// threshold and the mean since the candidate change is worse than the baseline's, past the floor. An alert opens
/// when M of the last N verdicts say worse; its evidence is the change located by E-Divisive's split statistic near where
/// the sum last left 0, the levels before and since, with Welch's interval of the shift and Welch's p-value
/// (descriptive: the split was chosen by the data). While it is open, a result is "recovered" when, since the change that opened it, E-Divisive
/// with means (Matteson and James 2014, see
/// <see cref="EDivisive.TestTail(IReadOnlyList{double}, int, int)"/>) finds a significant change that moves the
/// figure back past halfway to the level before; M of the last N such verdicts close it. A collapse beyond every result
/// of a long baseline opens at once (<see cref="BeyondBaseline"/>). Verdicts are recomputed from the series, so the
/// state stays small.
/// </summary>
public sealed class RegressionMonitor(TrackedMetric metric, RegressionPolicy policy)
{
    /// <summary>How many results before the sum's candidate change the change may be placed.</summary>
    private const int ChangeSlack = 3;

    private readonly EDivisive detector = new(policy.Detector);

    public RegressionStep Evaluate(RegressionState state, IReadOnlyList<SeriesPoint> series)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(series);
        return state.IsOpen ? EvaluateOpen(state, series) : EvaluateClosed(state, series);
    }

    private RegressionStep EvaluateClosed(RegressionState state, IReadOnlyList<SeriesPoint> series)
    {
        var epoch = Since(series, state.EpochStart);
        var values = Values(epoch);
        var path = RankCusum.Path(values, metric.HigherIsBetter, policy.Cusum);
        var verdicts = new List<bool>();
        ChangePoint? latest = null;
        for (var t = Math.Max(0, values.Length - policy.Rule.N); t < values.Length; t++)
        {
            latest = Worse(values, path[t], t);
            verdicts.Add(latest is not null);
        }

        if (AlertLatch.Next(false, verdicts, [], policy.Rule) != AlertTransition.Opened || latest is null)
        {
            latest = BeyondBaseline.Test(values, metric.HigherIsBetter, policy.Rule, policy.Cusum.Baseline) is { } beyond
                ? Judge(values, beyond.BaselineStart, beyond.ChangeIndex, values.Length)
                : null;
            if (latest is null)
            {
                return new RegressionStep(state, AlertTransition.None, null, null);
            }
        }

        var change = Locate(values, latest);
        var at = epoch[change.Index].At;
        var opened = new RegressionState(true, state.EpochStart, at, change.Before.Mean, change.After.Mean);
        return new RegressionStep(opened, AlertTransition.Opened, change, at);
    }

    /// <summary>
    /// Where the change is: the sum leaves 0 at the first result that looks worse, which noise can put a result or two
    /// early, so the change is E-Divisive's best split (the largest scaled energy distance) of the baseline and the
    /// results since, searched from <see cref="ChangeSlack"/> results before the sum's candidate to the last but two.
    /// </summary>
    private static ChangePoint Locate(double[] values, ChangePoint candidate)
    {
        var start = candidate.Index - candidate.Before.Count;
        var segment = values[start..];
        var first = Math.Max(2, candidate.Index - start - ChangeSlack);
        var last = segment.Length - 2;
        if (first > last)
        {
            return candidate;
        }

        var (split, _) = EDivisive.BestSplit(segment, first, last);
        var point = EDivisive.Describe(values, start, start + split, values.Length, double.NaN);
        return point with { PValue = Welch.PValue(point.Before, point.After) };
    }

    /// <summary>
    /// The change a result's sum stands on when its verdict is "worse": the sum above its threshold, and the mean of
    /// the results since the candidate change (up to this one) worse than the baseline's and past the floor; else null.
    /// </summary>
    private ChangePoint? Worse(double[] values, CusumStep step, int t)
    {
        if (step.Statistic <= policy.Cusum.Threshold)
        {
            return null;
        }

        return Judge(values, step.BaselineStart, step.ChangeIndex, t + 1);
    }

    /// <summary>The change at <paramref name="change"/> against the baseline before it, when it is worse and past the floor; else null.</summary>
    private ChangePoint? Judge(double[] values, int baselineStart, int change, int end)
    {
        var point = EDivisive.Describe(values, baselineStart, change, end, double.NaN);
        return metric.IsWorse(point.Shift) && PastFloor(point) ? point with { PValue = Welch.PValue(point.Before, point.After) } : null;
    }

    private RegressionStep EvaluateOpen(RegressionState state, IReadOnlyList<SeriesPoint> series)
    {
        var regressed = Since(series, state.OpenedChangeAt);
        var halfway = Halfway(state.BaselineMean!.Value, state.RegressedMean!.Value);
        var verdicts = new List<bool>();
        (ChangePoint Point, SeriesPoint[] Window)? latest = null;
        foreach (var window in LastWindows(regressed))
        {
            // The good results may be most of the window: held to half of it, six bad results and six good ones are 924
            // arrangements, too few for the significance level, and a regression fixed at once would never recover.
            var point = detector.TestTail(Values(window), policy.Detector.MinimumSegment, window.Length - policy.Detector.MinimumSegment);
            var back = point is not null && !metric.IsWorse(point.Shift)
                && !metric.IsWorse(point.After.Mean - halfway) && !metric.IsWorse(window[^1].Value - halfway);
            verdicts.Add(back);
            if (back)
            {
                latest = (point!, window);
            }
        }

        if (AlertLatch.Next(true, [], verdicts, policy.Rule) != AlertTransition.Recovered || latest is null)
        {
            return new RegressionStep(state, AlertTransition.None, null, null);
        }

        var (change, changeWindow) = latest.Value;
        var at = changeWindow[change.Index].At;
        return new RegressionStep(new RegressionState(false, at, null, null, null), AlertTransition.Recovered, change, at);
    }

    private static double Halfway(double a, double b) => (a + b) / 2;

    private bool PastFloor(ChangePoint point) =>
        policy.FloorPercent is not { } floor || Math.Abs(point.RelativeShift) * 100 >= floor;

    /// <summary>The windows ending at each of the last N results, oldest first.</summary>
    private IEnumerable<SeriesPoint[]> LastWindows(SeriesPoint[] points)
    {
        for (var end = Math.Max(1, points.Length - policy.Rule.N + 1); end <= points.Length; end++)
        {
            var start = Math.Max(0, end - policy.Detector.Window);
            yield return points[start..end];
        }
    }

    private static SeriesPoint[] Since(IReadOnlyList<SeriesPoint> series, DateTimeOffset? start) =>
        start is null ? [.. series] : [.. series.Where(p => p.At >= start.Value)];

    private static double[] Values(SeriesPoint[] window) => [.. window.Select(p => p.Value)];
}
