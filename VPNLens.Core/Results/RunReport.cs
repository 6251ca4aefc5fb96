using System.Text.Json;
using VPNLens.Core.Runs;

namespace VPNLens.Core.Results;

/// <summary>A whole run's results: one summary per protocol, each figure also as a share of the direct baseline.</summary>
public sealed record RunReport(
    IReadOnlyList<ProtocolSummary> Protocols,
    IReadOnlyDictionary<string, JsonElement> Environment,
    IReadOnlyDictionary<string, JsonElement> Settings)
{
    public ProtocolSummary? Baseline => Protocols.FirstOrDefault(p => p.Protocol == Runs.Protocols.Direct);

    public IEnumerable<ProtocolSummary> Tunnels => Protocols.Where(p => p.Protocol != Runs.Protocols.Direct);

    public static RunReport From(ResultsReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        return new RunReport(
            [.. report.Protocols.Select(ProtocolSummary.From)],
            report.Environment ?? [],
            report.Settings ?? []);
    }

    /// <summary>A protocol's median upload as a share (0..1+) of the baseline's, or null without a baseline.</summary>
    public double? UploadShareOfBaseline(ProtocolSummary protocol) =>
        Share(protocol?.UploadBitsPerSecond?.Median, Baseline?.UploadBitsPerSecond?.Median);

    public double? DownloadShareOfBaseline(ProtocolSummary protocol) =>
        Share(protocol?.DownloadBitsPerSecond?.Median, Baseline?.DownloadBitsPerSecond?.Median);

    public double? UdpShareOfBaseline(ProtocolSummary protocol) =>
        Share(protocol?.UdpBitsPerSecond?.Median, Baseline?.UdpBitsPerSecond?.Median);

    private static double? Share(double? value, double? baseline) =>
        value is null || baseline is null or <= 0 ? null : value.Value / baseline.Value;
}
