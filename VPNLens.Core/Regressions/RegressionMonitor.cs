namespace VPNLens.Core.Regressions;

/// <summary>
/// Watches one node × protocol × metric series of run medians. Each result gets a verdict from E-Divisive over the
/// latest window: "worse" when the latest significant change point moves the figure the wrong way (and past the floor).
/// An alert opens when M of the last N verdicts say worse. While it is open, a result is "recovered" when, since the
/// change that opened it, a significant change moves the figure back past halfway to the level before; M of the last N
/// such verdicts close it. Verdicts are recomputed from the series, so the state stays small.
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
        foreach (var window in LastWindows(epoch))
        {
            var point = detector.TestTail(Values(window), policy.Detector.MinimumSegment, window.Length / 2);
            var worse = point is not null && metric.IsWorse(point.Shift) && PastFloor(point)
                && metric.IsWorse(window[^1].Value - Halfway(point.Before.Mean, point.After.Mean));
            verdicts.Add(worse);
            if (worse)
            {
                latest = (point!, window);
            }
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

    private RegressionStep EvaluateOpen(RegressionState state, IReadOnlyList<SeriesPoint> series)
    {
        var regressed = Since(series, state.OpenedChangeAt);
        var halfway = Halfway(state.BaselineMean!.Value, state.RegressedMean!.Value);
        var verdicts = new List<bool>();
        (ChangePoint Point, SeriesPoint[] Window)? latest = null;
        foreach (var window in LastWindows(regressed))
        {
            var point = detector.TestTail(Values(window), policy.Detector.MinimumSegment, window.Length / 2);
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
