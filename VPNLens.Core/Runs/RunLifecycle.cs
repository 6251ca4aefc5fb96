namespace VPNLens.Core.Runs;

/// <summary>What a trigger does to a run in a given state: a move, or a refusal saying why not.</summary>
public sealed record RunDecision(RunMove? Move, RunRefusal? Refusal)
{
    public bool IsAllowed => Move is not null;
}

/// <summary>
/// The one table of a run's life. Every writer (dispatch, callbacks, the deadline, cancel, restart recovery)
/// asks it before changing a run, stores the move with a conditional update, then carries out the effects.
/// </summary>
/// <remarks>
/// Queued --Started--> Running --results--> Succeeded | Completed | Failed (leases released at once);
/// Running --DispatchFailed--> Failed; Running --Cancelled / NothingToFetch--> Cancelled / TimedOut with the
/// script still to stop: the leases stay held until RemoteStopped.
/// </remarks>
public static class RunLifecycle
{
    private static readonly RunEffect[] Ended = [RunEffect.AnnounceState, RunEffect.ReleaseLeases, RunEffect.NotifyRequester, RunEffect.DispatchNext];

    public static RunDecision Decide(RunState state, bool stopPending, RunTrigger trigger) => (state, stopPending) switch
    {
        (RunState.Queued, false) => FromQueued(trigger),
        (RunState.Running, false) => FromRunning(trigger),
        _ when state.IsTerminal() && stopPending => FromStopping(state, trigger),
        _ when state.IsTerminal() => Refuse(state, false, trigger, $"The run has already ended ({state})."),
        _ => Refuse(state, stopPending, trigger, $"A {state} run has no script to stop."),
    };

    /// <summary>The states a trigger can move a run out of (stop pending or not): the WHERE of its conditional update.</summary>
    public static IReadOnlyList<RunState> AllowedFrom(RunTrigger trigger) =>
        [.. Enum.GetValues<RunState>().Where(s => Decide(s, false, trigger).IsAllowed || Decide(s, true, trigger).IsAllowed)];

    /// <summary>The final state a results body leads to.</summary>
    public static RunTrigger ResultsTrigger(bool runSucceeded, int failedProtocols) =>
        !runSucceeded ? RunTrigger.ResultsFailed
        : failedProtocols > 0 ? RunTrigger.ResultsPartlyFailed
        : RunTrigger.ResultsSucceeded;

    private static RunDecision FromQueued(RunTrigger trigger) => trigger switch
    {
        RunTrigger.Started => Allow(RunState.Queued, false, RunState.Running, false, RunEffect.AnnounceState, RunEffect.StartRemoteScript),

        // A queued run holds nothing, but it may have been the one the runs behind it waited for.
        RunTrigger.Cancelled => Allow(RunState.Queued, false, RunState.Cancelled, false, RunEffect.AnnounceState, RunEffect.DispatchNext),
        RunTrigger.Recovered => Allow(RunState.Queued, false, RunState.Queued, false, RunEffect.DispatchNext),
        _ => Refuse(RunState.Queued, false, trigger, "The run has not started yet."),
    };

    private static RunDecision FromRunning(RunTrigger trigger) => trigger switch
    {
        RunTrigger.PidRecorded or RunTrigger.PhaseArrived => Allow(RunState.Running, false, RunState.Running, false),
        RunTrigger.ResultsSucceeded => Allow(RunState.Running, false, RunState.Succeeded, false, Ended),
        RunTrigger.ResultsPartlyFailed => Allow(RunState.Running, false, RunState.Completed, false, Ended),
        RunTrigger.ResultsFailed => Allow(RunState.Running, false, RunState.Failed, false, Ended),
        RunTrigger.DispatchFailed => Allow(RunState.Running, false, RunState.Failed, false, Ended),
        RunTrigger.DeadlinePassed or RunTrigger.Recovered => Allow(RunState.Running, false, RunState.Running, false, RunEffect.FetchResults),
        RunTrigger.NothingToFetch => Allow(RunState.Running, false, RunState.TimedOut, true, RunEffect.AnnounceState, RunEffect.StopRemoteScript, RunEffect.NotifyRequester),
        RunTrigger.Cancelled => Allow(RunState.Running, false, RunState.Cancelled, true, RunEffect.AnnounceState, RunEffect.StopRemoteScript),
        _ => Refuse(RunState.Running, false, trigger, "The run is already running."),
    };

    private static RunDecision FromStopping(RunState state, RunTrigger trigger) => trigger switch
    {
        // A pid that arrives after a cancel is what the stop needs.
        RunTrigger.PidRecorded => Allow(state, true, state, true),
        RunTrigger.RemoteStopped => Allow(state, true, state, false, RunEffect.ReleaseLeases, RunEffect.DispatchNext),
        RunTrigger.Recovered => Allow(state, true, state, true, RunEffect.StopRemoteScript),
        _ => Refuse(state, true, trigger, $"The run has already ended ({state}); its script is being stopped."),
    };

    private static RunDecision Allow(RunState from, bool wasStopPending, RunState to, bool stopPending, params RunEffect[] effects) =>
        new(new RunMove(from, wasStopPending, to, stopPending, effects), null);

    private static RunDecision Refuse(RunState state, bool stopPending, RunTrigger trigger, string reason) =>
        new(null, new RunRefusal(state, stopPending, trigger, reason));
}
