namespace VPNLens.Core.Runs;

/// <summary>
/// One allowed move: from a state (and whether a script is still to be stopped) to the next, and what must follow.
/// <see cref="StopPending"/> is true while an ended run's script may still be running and the run keeps its leases.
/// </summary>
public sealed record RunMove(RunState From, bool WasStopPending, RunState To, bool StopPending, IReadOnlyList<RunEffect> Effects)
{
    public bool ChangesState => From != To || WasStopPending != StopPending;

    public bool Asks(RunEffect effect) => Effects.Contains(effect);
}

/// <summary>A move the run's state does not allow, with the reason in words.</summary>
public sealed record RunRefusal(RunState State, bool StopPending, RunTrigger Trigger, string Reason);
