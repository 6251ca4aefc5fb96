using System.ComponentModel.DataAnnotations;

namespace VPNLens.Core.Runs;

/// <summary>How long and how often a node measures; sent to the node in params.json.</summary>
public sealed record RunSettings
{
    [Range(1, 300)]
    public int TcpSeconds { get; init; } = 10;

    [Range(1, 300)]
    public int UdpSeconds { get; init; } = 10;

    [Range(0, 10)]
    public int OmitSeconds { get; init; } = 1;

    [Range(1, 20)]
    public int Repeats { get; init; } = 4;

    [Range(1, 40)]
    public int MaxRepeats { get; init; } = 6;

    [Range(0, 100)]
    public double RsdThresholdPercent { get; init; } = 5;

    [Range(1, 100_000)]
    public int UdpTargetMbps { get; init; } = 100;

    [Range(1, 1000)]
    public int PingCount { get; init; } = 20;

    [Range(0.01, 10)]
    public double PingIntervalSeconds { get; init; } = 0.2;

    [Range(1, 600)]
    public int LadderTimeoutSeconds { get; init; } = 30;

    [Range(1, 600)]
    public int RecoveryTimeoutSeconds { get; init; } = 30;

    /// <summary>TCP streams at once (iperf3 -P) for the parallel and bidirectional tests and the load under which latency is measured.</summary>
    [Range(1, 16)]
    public int ParallelStreams { get; init; } = 4;

    /// <summary>The address family the ladder and the measurements use: 4, or 6 to each protocol's IPv6 peer (docs/node-protocol.md).</summary>
    [AllowedValues(4, 6, ErrorMessage = "{0} must be 4 or 6.")]
    public int IpVersion { get; init; } = 4;
}
