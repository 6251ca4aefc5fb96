namespace VPNLens.Core.Runs;

/// <summary>
/// How long a run has to post its results. The base covers the baseline and one VPN (the postmortem's ten minutes);
/// every further protocol adds its own allowance, so a run of every protocol is not TimedOut for its size alone; and a
/// run whose settings may take longer than that gets half again its longest estimate, so it is not TimedOut for the
/// length its own settings ask for.
/// </summary>
public static class RunDeadline
{
    /// <summary>The margin over a run's longest estimate (<see cref="RunDurationEstimate.Longest"/>) where that decides.</summary>
    public const double EstimateMargin = 1.5;

    /// <summary>The configured deadline for the run's size, or half again its longest estimate where that is later.</summary>
    public static TimeSpan For(TimeSpan baseDeadline, TimeSpan perExtraProtocol, RunSettings settings, int protocolCount)
    {
        var configured = For(baseDeadline, perExtraProtocol, protocolCount);
        var stretched = RunDurationEstimate.For(settings, protocolCount).Longest * EstimateMargin;
        return stretched > configured ? stretched : configured;
    }

    /// <param name="baseDeadline">The deadline of a run of direct and one VPN.</param>
    /// <param name="perExtraProtocol">Added for each protocol after those two.</param>
    /// <param name="protocolCount">The protocols the run executes, direct included.</param>
    public static TimeSpan For(TimeSpan baseDeadline, TimeSpan perExtraProtocol, int protocolCount)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(perExtraProtocol, TimeSpan.Zero);
        return baseDeadline + (perExtraProtocol * Math.Max(0, protocolCount - 2));
    }
}
