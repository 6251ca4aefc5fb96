namespace VPNLens.Core.Runs;

/// <summary>
/// How long a run should take from its settings, before it is queued: per protocol the fixed steps (ladder, recovery,
/// teardown) plus the timed tests, at the planned repeats (typical) and at max repeats (longest, when the spread never settles).
/// </summary>
public sealed record RunDurationEstimate(TimeSpan Typical, TimeSpan Longest)
{
    /// <summary>Bring-up, ladder, recovery and teardown of one protocol, and the gaps between tests.</summary>
    public static readonly TimeSpan FixedPerProtocol = TimeSpan.FromSeconds(25);

    /// <summary>Starting and ending one iperf3 test.</summary>
    public static readonly TimeSpan PerTest = TimeSpan.FromSeconds(1);

    /// <summary>TCP upload, download, parallel streams and both directions at once.</summary>
    public const int TcpTestsPerRepeat = 4;

    public static RunDurationEstimate For(RunSettings settings, int protocolCount)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return new RunDurationEstimate(PerProtocol(settings, settings.Repeats) * protocolCount, PerProtocol(settings, settings.MaxRepeats) * protocolCount);
    }

    private static TimeSpan PerProtocol(RunSettings s, int repeats)
    {
        var tcpTest = TimeSpan.FromSeconds(s.TcpSeconds + s.OmitSeconds) + PerTest;
        var udpTest = TimeSpan.FromSeconds(s.UdpSeconds + s.OmitSeconds) + PerTest;
        var pings = TimeSpan.FromSeconds(s.PingCount * s.PingIntervalSeconds);
        return FixedPerProtocol
            + pings                               // idle latency
            + (tcpTest * TcpTestsPerRepeat * repeats)
            + tcpTest                             // latency under load, over a TCP test
            + (udpTest * repeats);
    }
}
