using VPNLens.Core.Results;
using VPNLens.Core.Statistics;

namespace VPNLens.Web.Figures;

public enum MetricUnit
{
    BitsPerSecond,
    Milliseconds,
    Percent,
    CpuSecondsPerGigabyte,
}

/// <summary>One figure of a protocol's results: how to read it from the summary, its unit, and which way is better.</summary>
public sealed record Metric(
    string Key,
    string Label,
    MetricUnit Unit,
    bool HigherIsBetter,
    Func<ProtocolSummary, double?> Value,
    Func<ProtocolSummary, SampleSummary?>? Samples = null);

public sealed record MetricGroup(string Title, string Note, IReadOnlyList<Metric> Metrics);

/// <summary>Every figure the results page, the comparison and the CSV show, grouped as the page shows them.</summary>
public static class Metrics
{
    public static readonly Metric TcpUpload = new("tcp_upload", "TCP upload", MetricUnit.BitsPerSecond, true, p => p.UploadBitsPerSecond?.Median, p => p.UploadBitsPerSecond);
    public static readonly Metric TcpDownload = new("tcp_download", "TCP download", MetricUnit.BitsPerSecond, true, p => p.DownloadBitsPerSecond?.Median, p => p.DownloadBitsPerSecond);
    public static readonly Metric LatencyIdleP50 = new("latency_idle_p50", "Idle p50", MetricUnit.Milliseconds, false, p => p.LatencyIdle?.P50Ms);
    public static readonly Metric UdpJitter = new("udp_jitter", "UDP jitter", MetricUnit.Milliseconds, false, p => p.UdpJitterMs?.Median, p => p.UdpJitterMs);
    public static readonly Metric UdpLoss = new("udp_loss", "UDP loss", MetricUnit.Percent, false, p => p.UdpLossPercent?.Median, p => p.UdpLossPercent);

    public static IReadOnlyList<MetricGroup> Groups { get; } =
    [
        new("Throughput", "Median over the repetitions; ± is the relative standard deviation. Parallel: several TCP streams at once (the run's parallelStreams); bidirectional: both ways at once.",
        [
            TcpUpload,
            TcpDownload,
            new("tcp_parallel_upload", "TCP upload, parallel", MetricUnit.BitsPerSecond, true, p => p.ParallelUploadBitsPerSecond?.Median, p => p.ParallelUploadBitsPerSecond),
            new("tcp_bidir_upload", "Bidirectional up", MetricUnit.BitsPerSecond, true, p => p.BidirUploadBitsPerSecond?.Median, p => p.BidirUploadBitsPerSecond),
            new("tcp_bidir_download", "Bidirectional down", MetricUnit.BitsPerSecond, true, p => p.BidirDownloadBitsPerSecond?.Median, p => p.BidirDownloadBitsPerSecond),
        ]),
        new("Latency", "Round trips over the tunnel, idle and while parallel TCP streams load it both ways.",
        [
            LatencyIdleP50,
            new("latency_idle_p95", "Idle p95", MetricUnit.Milliseconds, false, p => p.LatencyIdle?.P95Ms),
            new("latency_idle_p99", "Idle p99", MetricUnit.Milliseconds, false, p => p.LatencyIdle?.P99Ms),
            new("latency_loaded_p50", "Loaded p50", MetricUnit.Milliseconds, false, p => p.LatencyLoaded?.P50Ms),
            new("latency_loaded_p95", "Loaded p95", MetricUnit.Milliseconds, false, p => p.LatencyLoaded?.P95Ms),
            new("latency_loaded_p99", "Loaded p99", MetricUnit.Milliseconds, false, p => p.LatencyLoaded?.P99Ms),
            new("latency_added_under_load", "Added under load", MetricUnit.Milliseconds, false, p => p.LoadedLatencyIncreaseMs),
            new("ping_loss_idle", "Ping loss", MetricUnit.Percent, false, p => p.LatencyIdle?.LossPercent),
        ]),
        new("UDP", "iperf3 UDP at the run's target rate.",
        [
            new("udp_throughput", "UDP throughput", MetricUnit.BitsPerSecond, true, p => p.UdpBitsPerSecond?.Median, p => p.UdpBitsPerSecond),
            UdpJitter,
            UdpLoss,
        ]),
        new("CPU", "Per side during the TCP tests; CPU-seconds per GB moved (lower is cheaper).",
        [
            new("cpu_node", "CPU, node side", MetricUnit.Percent, false, p => p.CpuLocalPercent),
            new("cpu_peer", "CPU, peer side", MetricUnit.Percent, false, p => p.CpuRemotePercent),
            new("cpu_daemon_per_gb", "Daemon CPU per GB", MetricUnit.CpuSecondsPerGigabyte, false, p => p.DaemonCpuSecondsPerGigabyte),
            new("cpu_system_per_gb", "System CPU per GB", MetricUnit.CpuSecondsPerGigabyte, false, p => p.SystemCpuSecondsPerGigabyte),
        ]),
        new("Set-up and recovery", "From bring-up to a working tunnel, and back after the daemon is restarted.",
        [
            new("setup", "Set-up time", MetricUnit.Milliseconds, false, p => p.SetupMs),
            new("recovery", "Recovery time", MetricUnit.Milliseconds, false, p => p.RecoveryMs),
        ]),
    ];

    public static IReadOnlyList<Metric> All { get; } = [.. Groups.SelectMany(g => g.Metrics)];

    /// <summary>The figures a person looks at first.</summary>
    public static IReadOnlyList<Metric> Headline { get; } = [TcpUpload, TcpDownload, LatencyIdleP50, UdpJitter, UdpLoss];
}
