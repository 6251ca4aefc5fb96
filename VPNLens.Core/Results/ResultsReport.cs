using System.Text.Json;

namespace VPNLens.Core.Results;

// The final results body a node posts, as docs/node-protocol.md defines it.

public sealed record ResultsReport(
    string Status,
    ReportError? Error,
    Dictionary<string, JsonElement>? Environment,
    Dictionary<string, JsonElement>? Settings,
    IReadOnlyList<ProtocolReport> Protocols)
{
    /// <summary>When retention removed this body's per-second samples; null while they are all there.</summary>
    public DateTimeOffset? SamplesRemovedAt { get; init; }
}

public sealed record ReportError(string? Protocol, string? Phase, string Message);

public sealed record ProtocolReport(
    string Protocol,
    string Status,
    ReportError? Error,
    string? Interface,
    int? Mtu,
    string? Peer,
    Dictionary<string, JsonElement>? Versions,
    double? SetupMs,
    IReadOnlyList<LadderRung>? Ladder,
    PingReport? LatencyIdle,
    PingReport? LatencyLoaded,
    IReadOnlyList<TcpSample>? TcpUpload,
    IReadOnlyList<TcpSample>? TcpDownload,
    IReadOnlyList<UdpSample>? Udp,
    CpuReport? Cpu,
    RecoveryReport? Recovery)
{
    public bool Succeeded => Status == "succeeded";

    /// <summary>The largest IP packet that crossed the tunnel with Don't Fragment set (ladder rung full_size).</summary>
    public int? PathMtu { get; init; }

    /// <summary>Uploads with several TCP streams at once (iperf3 -P).</summary>
    public IReadOnlyList<TcpSample>? TcpParallel { get; init; }

    /// <summary>Both directions at once (iperf3 --bidir): the upload in BitsPerSecond, the download in ReverseBitsPerSecond.</summary>
    public IReadOnlyList<TcpSample>? TcpBidir { get; init; }
}

public sealed record LadderRung(string Rung, double Ms);

public sealed record PingReport(int Sent, int Received, IReadOnlyList<double>? RttMs);

public sealed record TcpSample(
    double BitsPerSecond,
    long? Retransmits,
    long? Bytes,
    double? CpuLocalPercent,
    double? CpuRemotePercent,
    IReadOnlyList<double>? Intervals)
{
    /// <summary>How many TCP streams ran (each way, for a bidirectional test).</summary>
    public int? Streams { get; init; }

    /// <summary>The download measured during a bidirectional test.</summary>
    public double? ReverseBitsPerSecond { get; init; }
}

public sealed record UdpSample(
    double BitsPerSecond,
    double? JitterMs,
    long? LostPackets,
    long? Packets,
    double? LostPercent);

public sealed record CpuReport(string? Daemon, double? DaemonCpuSeconds, double? SystemCpuSeconds, long? BytesMoved);

public sealed record RecoveryReport(string? Method, double? Ms);
