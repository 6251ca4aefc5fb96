namespace VPNLens.Core.Regressions;

/// <summary>
/// Watches one node × protocol × metric series of run medians. Each result gets a verdict from E-Divisive with means
/// (Matteson and James 2014, see <see cref="EDivisive.TestTail(IReadOnlyList{double}, int, int, Func{ChangePoint, bool})"/>)
/// over the latest <see cref="DetectorSettings.Window"/> results: the best split whose later side holds between
/// <see cref="RegressionPolicy.ShortestTail"/> and all but <see cref="DetectorSettings.MinimumSegment"/> of the window
/// (so a change missed early is still found later), "worse" when its later side is worse by mean and by median, past
/// the floor, with the median of the latest results beyond halfway between the two medians, and the permutation test
/// significant at <see cref="DetectorSettings.SignificanceLevel"/> (the policy's default is tightened for testing after
/// every run). An alert opens when M of the last N verdicts say worse. While it is open, a result is "recovered" when,
/// since the change that opened it, a significant change moves the figure back past halfway to the level before; M of
/// the last N such verdicts close it. Verdicts are recomputed from the series, so the state stays small.
/// </summary>
public sealed class RegressionMonitor(TrackedMetric metric, RegressionPolicy policy)
{
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
        var verdicts = new List<bool>();
        (ChangePoint Point, SeriesPoint[] Window)? latest = null;
        var windows = LastWindows(epoch).Reverse().ToList();
        foreach (var window in windows)
        {
            if (verdicts.Count(v => v) + (windows.Count - verdicts.Count) < policy.Rule.M)
            {
                break;
            }

            var point = detector.TestTail(Values(window), policy.ShortestTail, window.Length - policy.Detector.MinimumSegment, p => Worse(window, p));
            verdicts.Add(point is not null);
            latest ??= point is null ? null : (point, window);
        }

        if (AlertLatch.Next(false, verdicts, [], policy.Rule) != AlertTransition.Opened || latest is null)
        {
            return new RegressionStep(state, AlertTransition.None, null, null);
        }

        var (change, changeWindow) = latest.Value;
        var at = changeWindow[change.Index].At;
        var opened = new RegressionState(true, state.EpochStart, at, change.Before.Mean, change.After.Mean);
        return new RegressionStep(opened, AlertTransition.Opened, change, at);
    }

    /// <summary>
    /// Whether a split of <paramref name="window"/> is worth its permutation test: the later side is worse by its mean
    /// and by its median, past the floor, and the median of the latest <see cref="RegressionPolicy.ShortestTail"/>
    /// results lies beyond halfway between the two sides' medians (one outlier moves a mean, not a median; a change the
    /// latest results have left is no longer present, while one result in the noise does not undo it).
    /// </summary>
    private bool Worse(SeriesPoint[] window, ChangePoint point)
    {
        var medianBefore = RobustLevel.Median(Values(window[..point.Index]));
        var medianAfter = RobustLevel.Median(Values(window[point.Index..]));
        return metric.IsWorse(point.Shift) && metric.IsWorse(medianAfter - medianBefore) && PastFloor(point)
            && metric.IsWorse(RobustLevel.Median(Values(window[^policy.ShortestTail..])) - Halfway(medianBefore, medianAfter));
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
