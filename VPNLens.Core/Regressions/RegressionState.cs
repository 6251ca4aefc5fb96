namespace VPNLens.Core.Regressions;

/// <summary>
/// What a series' watcher remembers between results. <see cref="EpochStart"/> is where the series' current
/// level began (after a recovery, history before it no longer counts); an open alert keeps the change that opened it.
/// </summary>
public sealed record RegressionState(bool IsOpen, DateTimeOffset? EpochStart, DateTimeOffset? OpenedChangeAt, double? BaselineMean, double? RegressedMean)
{
    public static RegressionState Initial { get; } = new(false, null, null, null, null);
}

/// <summary>The state after one more result, and what changed: an alert opened or recovered, with its change point as evidence.</summary>
public sealed record RegressionStep(RegressionState State, AlertTransition Transition, ChangePoint? Evidence, DateTimeOffset? ChangeAt);
