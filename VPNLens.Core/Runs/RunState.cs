namespace VPNLens.Core.Runs;

public enum RunState
{
    Queued,
    Running,
    Succeeded,
    Failed,
    TimedOut,
    Cancelled,
}

public static class RunStateExtensions
{
    public static bool IsTerminal(this RunState state) =>
        state is RunState.Succeeded or RunState.Failed or RunState.TimedOut or RunState.Cancelled;
}
