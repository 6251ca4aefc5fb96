using VPNLens.Core.Results;
using VPNLens.Core.Statistics;

namespace VPNLens.Core.Verdicts;

/// <summary>The unit a verdict speaks in.</summary>
public enum VerdictUnit
{
    BitsPerSecond,
    Milliseconds,
    Percent,
    CpuSecondsPerGigabyte,
}

/// <summary>
/// One figure a verdict ranks: where its samples come from (one per repetition, or one per packet for latency), its
/// unit, which way is better, whether two protocols compare as a ratio or a difference, and how the gap reads.
/// <see cref="Phrase"/> takes the better protocol, the worse one and the gap's text.
/// </summary>
public sealed record VerdictMetric(
    string Key,
    string Label,
    VerdictUnit Unit,
    bool HigherIsBetter,
    ComparisonScale Scale,
    Func<ProtocolReport, ProtocolSummary, IReadOnlyList<double>> Samples,
    Func<string, string, string, string> Phrase,
    double AbsoluteFloor = 0,
    bool ComparedWithDirect = true)
{
    public string Direction => HigherIsBetter ? "higher is better" : "lower is better";
}

/// <summary>The figures every verdict ranks, in the order a person asks about them.</summary>
public static class VerdictMetrics
{
    public static readonly VerdictMetric TcpUpload = new(
        "tcp_upload", "TCP upload", VerdictUnit.BitsPerSecond, true, ComparisonScale.Ratio,
        (r, _) => [.. (r.TcpUpload ?? []).Select(s => s.BitsPerSecond)],
        (better, worse, gap) => $"{better} {gap} faster than {worse}");

    public static readonly VerdictMetric TcpDownload = new(
        "tcp_download", "TCP download", VerdictUnit.BitsPerSecond, true, ComparisonScale.Ratio,
        (r, _) => [.. (r.TcpDownload ?? []).Select(s => s.BitsPerSecond)],
        (better, worse, gap) => $"{better} {gap} faster than {worse}");

    public static readonly VerdictMetric IdleLatency = new(
        "latency_idle_p50", "Idle latency (p50)", VerdictUnit.Milliseconds, false, ComparisonScale.Difference,
        (r, _) => r.LatencyIdle?.RttMs ?? [],
        (better, worse, gap) => $"{better} {gap} lower than {worse}",
        AbsoluteFloor: 0.02);

    public static readonly VerdictMetric AddedLatencyUnderLoad = new(
        "latency_added_under_load", "Latency added under load (p50)", VerdictUnit.Milliseconds, false, ComparisonScale.Difference,
        (_, s) => One(s.LoadedLatencyIncreaseMs),
        (better, worse, gap) => $"{better} adds {gap} less under load than {worse}",
        AbsoluteFloor: 0.02);

    public static readonly VerdictMetric UdpLoss = new(
        "udp_loss", "UDP loss", VerdictUnit.Percent, false, ComparisonScale.Difference,
        (r, _) => [.. (r.Udp ?? []).Select(ProtocolSummary.LossPercent).OfType<double>()],
        (better, worse, gap) => $"{better} loses {gap} less than {worse}",
        AbsoluteFloor: 0.1);

    public static readonly VerdictMetric CpuPerGigabyte = new(
        "cpu_system_per_gb", "CPU per GB moved", VerdictUnit.CpuSecondsPerGigabyte, false, ComparisonScale.Ratio,
        (_, s) => One(s.SystemCpuSecondsPerGigabyte),
        (better, worse, gap) => $"{worse} needs {gap} the CPU per GB of {better}");

    public static readonly VerdictMetric Setup = new(
        "setup", "Set-up time", VerdictUnit.Milliseconds, false, ComparisonScale.Difference,
        (_, s) => One(s.SetupMs),
        (better, worse, gap) => $"{better} comes up {gap} sooner than {worse}",
        ComparedWithDirect: false);

    public static readonly VerdictMetric Recovery = new(
        "recovery", "Recovery time", VerdictUnit.Milliseconds, false, ComparisonScale.Difference,
        (_, s) => One(s.RecoveryMs),
        (better, worse, gap) => $"{better} recovers {gap} sooner than {worse}",
        ComparedWithDirect: false);

    public static IReadOnlyList<VerdictMetric> All { get; } =
        [TcpUpload, TcpDownload, IdleLatency, AddedLatencyUnderLoad, UdpLoss, CpuPerGigabyte, Setup, Recovery];

    private static IReadOnlyList<double> One(double? value) => value is { } v ? [v] : [];
}
