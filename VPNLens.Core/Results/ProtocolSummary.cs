using VPNLens.Core.Statistics;

namespace VPNLens.Core.Results;

/// <summary>The figures people look at for one protocol, computed from the node's raw samples.</summary>
public sealed record ProtocolSummary(
    string Protocol,
    bool Succeeded,
    ReportError? Error,
    SampleSummary? UploadBitsPerSecond,
    SampleSummary? DownloadBitsPerSecond,
    SampleSummary? UdpBitsPerSecond,
    SampleSummary? UdpJitterMs,
    SampleSummary? UdpLossPercent,
    LatencySummary? LatencyIdle,
    LatencySummary? LatencyLoaded,
    double? CpuLocalPercent,
    double? CpuRemotePercent,
    double? DaemonCpuSecondsPerGigabyte,
    double? SystemCpuSecondsPerGigabyte,
    double? SetupMs,
    double? RecoveryMs,
    IReadOnlyList<LadderRung> Ladder,
    IReadOnlyList<IReadOnlyList<double>> UploadIntervals,
    IReadOnlyList<IReadOnlyList<double>> DownloadIntervals)
{
    private const double BytesPerGigabyte = 1_000_000_000;

    /// <summary>Upload with several TCP streams at once (iperf3 -P).</summary>
    public SampleSummary? ParallelUploadBitsPerSecond { get; init; }

    /// <summary>Upload and download measured at the same time (iperf3 --bidir).</summary>
    public SampleSummary? BidirUploadBitsPerSecond { get; init; }

    public SampleSummary? BidirDownloadBitsPerSecond { get; init; }

    /// <summary>Latency under load minus idle latency at the median: the bufferbloat the tunnel adds.</summary>
    public double? LoadedLatencyIncreaseMs =>
        LatencyLoaded?.P50Ms is { } loaded && LatencyIdle?.P50Ms is { } idle ? loaded - idle : null;

    public static ProtocolSummary From(ProtocolReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var upload = report.TcpUpload ?? [];
        var download = report.TcpDownload ?? [];
        var udp = report.Udp ?? [];
        var tcp = upload.Concat(download).ToList();

        var bidir = report.TcpBidir ?? [];
        return new ProtocolSummary(
            report.Protocol,
            report.Succeeded,
            report.Error,
            SampleSummary.Of([.. upload.Select(s => s.BitsPerSecond)]),
            SampleSummary.Of([.. download.Select(s => s.BitsPerSecond)]),
            SampleSummary.Of([.. udp.Select(s => s.BitsPerSecond)]),
            SampleSummary.Of([.. udp.Where(s => s.JitterMs is not null).Select(s => s.JitterMs!.Value)]),
            SampleSummary.Of([.. udp.Select(LossPercent).OfType<double>()]),
            Latency(report.LatencyIdle),
            Latency(report.LatencyLoaded),
            Descriptive.Median([.. tcp.Where(s => s.CpuLocalPercent is not null).Select(s => s.CpuLocalPercent!.Value)]),
            Descriptive.Median([.. tcp.Where(s => s.CpuRemotePercent is not null).Select(s => s.CpuRemotePercent!.Value)]),
            PerGigabyte(report.Cpu?.DaemonCpuSeconds, report.Cpu?.BytesMoved),
            PerGigabyte(report.Cpu?.SystemCpuSeconds, report.Cpu?.BytesMoved),
            report.SetupMs,
            report.Recovery?.Ms,
            report.Ladder ?? [],
            [.. upload.Select(s => s.Intervals ?? [])],
            [.. download.Select(s => s.Intervals ?? [])])
        {
            ParallelUploadBitsPerSecond = SampleSummary.Of([.. (report.TcpParallel ?? []).Select(s => s.BitsPerSecond)]),
            BidirUploadBitsPerSecond = SampleSummary.Of([.. bidir.Select(s => s.BitsPerSecond)]),
            BidirDownloadBitsPerSecond = SampleSummary.Of([.. bidir.Where(s => s.ReverseBitsPerSecond is not null).Select(s => s.ReverseBitsPerSecond!.Value)]),
        };
    }

    private static LatencySummary? Latency(PingReport? ping) =>
        ping is null ? null : LatencySummary.Of(ping.Sent, ping.Received, ping.RttMs ?? []);

    internal static double? LossPercent(UdpSample sample) =>
        sample.LostPercent ?? (sample.Packets is > 0 && sample.LostPackets is not null
            ? sample.LostPackets.Value * 100.0 / sample.Packets.Value
            : null);

    private static double? PerGigabyte(double? cpuSeconds, long? bytes) =>
        cpuSeconds is null || bytes is null or <= 0 ? null : cpuSeconds.Value / (bytes.Value / BytesPerGigabyte);
}
