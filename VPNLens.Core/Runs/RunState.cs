namespace VPNLens.Core.Runs;

public enum RunState
{
    Queued,
    Running,

    /// <summary>Every protocol was measured.</summary>
    Succeeded,

    /// <summary>The node finished the run, but one or more protocols failed; the reason says how many.</summary>
    Completed,
    Failed,
    TimedOut,
    Cancelled,
}

public static class RunStateExtensions
{
    public static bool IsTerminal(this RunState state) =>
        state is RunState.Succeeded or RunState.Completed or RunState.Failed or RunState.TimedOut or RunState.Cancelled;
}
