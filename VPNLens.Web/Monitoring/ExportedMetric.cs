using VPNLens.Core.Regressions;

namespace VPNLens.Web.Monitoring;

/// <summary>
/// How a tracked run-level figure is exported: one gauge per quantity, named with its Prometheus base unit (bytes,
/// seconds, ratio), so every series of one metric has one unit and sum() or avg() over its labels means something.
/// </summary>
public sealed record ExportedMetric(TrackedMetric Tracked, string Name, string Help, double Factor)
{
    public static IReadOnlyList<ExportedMetric> All { get; } =
    [
        new(TrackedMetric.TcpUpload, "vpnlens_latest_tcp_upload_bytes_per_second", "TCP upload median of the latest successful result, node to endpoint.", 1 / 8.0),
        new(TrackedMetric.TcpDownload, "vpnlens_latest_tcp_download_bytes_per_second", "TCP download median of the latest successful result, endpoint to node.", 1 / 8.0),
        new(TrackedMetric.LatencyIdleP50, "vpnlens_latest_idle_latency_p50_seconds", "Idle round-trip latency p50 of the latest successful result.", 1 / 1000.0),
        new(TrackedMetric.UdpJitter, "vpnlens_latest_udp_jitter_seconds", "UDP jitter of the latest successful result.", 1 / 1000.0),
        new(TrackedMetric.UdpLoss, "vpnlens_latest_udp_loss_ratio", "UDP loss (0 to 1) of the latest successful result.", 1 / 100.0),
        new(TrackedMetric.Setup, "vpnlens_latest_setup_seconds", "Tunnel set-up time of the latest successful result.", 1 / 1000.0),
        new(TrackedMetric.Recovery, "vpnlens_latest_recovery_seconds", "Tunnel recovery time of the latest successful result.", 1 / 1000.0),
    ];
}
