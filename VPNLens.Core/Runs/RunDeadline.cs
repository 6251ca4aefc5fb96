namespace VPNLens.Core.Runs;

/// <summary>
/// How long a run has to post its results. The base covers the baseline and one VPN (the postmortem's ten minutes);
/// every further protocol adds its own allowance, so a run of every protocol is not TimedOut for its size alone.
/// </summary>
public static class RunDeadline
{
    /// <param name="baseDeadline">The deadline of a run of direct and one VPN.</param>
    /// <param name="perExtraProtocol">Added for each protocol after those two.</param>
    /// <param name="protocolCount">The protocols the run executes, direct included.</param>
    public static TimeSpan For(TimeSpan baseDeadline, TimeSpan perExtraProtocol, int protocolCount)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(perExtraProtocol, TimeSpan.Zero);
        return baseDeadline + (perExtraProtocol * Math.Max(0, protocolCount - 2));
    }
}
