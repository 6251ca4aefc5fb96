using System.Linq.Expressions;
using VPNLens.Core.Results;

namespace VPNLens.Core.Regressions;

/// <summary>
/// A run-level figure whose history is watched, which way is better, and which property of a stored result holds it
/// (<see cref="Column"/>, an expression a query can read that one column by; <see cref="Value"/> reads it from a result).
/// </summary>
public sealed record TrackedMetric(string Key, string Label, string Unit, bool HigherIsBetter, Expression<Func<ProtocolResult, double?>> Column)
{
    public static readonly TrackedMetric TcpUpload = new("tcp_upload", "TCP upload", "bps", true, r => r.UploadMedianBitsPerSecond);
    public static readonly TrackedMetric TcpDownload = new("tcp_download", "TCP download", "bps", true, r => r.DownloadMedianBitsPerSecond);
    public static readonly TrackedMetric LatencyIdleP50 = new("latency_idle_p50", "Idle latency p50", "ms", false, r => r.LatencyIdleP50Ms);
    public static readonly TrackedMetric UdpJitter = new("udp_jitter", "UDP jitter", "ms", false, r => r.UdpJitterMs);
    public static readonly TrackedMetric UdpLoss = new("udp_loss", "UDP loss", "percent", false, r => r.UdpLossPercent);
    public static readonly TrackedMetric Setup = new("setup", "Set-up time", "ms", false, r => r.SetupMs);
    public static readonly TrackedMetric Recovery = new("recovery", "Recovery time", "ms", false, r => r.RecoveryMs);

    /// <summary>The figure of a stored result.</summary>
    public Func<ProtocolResult, double?> Value { get; } = Column.Compile();

    public static IReadOnlyList<TrackedMetric> All { get; } = [TcpUpload, TcpDownload, LatencyIdleP50, UdpJitter, UdpLoss, Setup, Recovery];

    public static TrackedMetric? Find(string? key) => All.FirstOrDefault(m => string.Equals(m.Key, key, StringComparison.Ordinal));

    /// <summary>True when a shift of this sign makes the figure worse.</summary>
    public bool IsWorse(double shift) => HigherIsBetter ? shift < 0 : shift > 0;
}
