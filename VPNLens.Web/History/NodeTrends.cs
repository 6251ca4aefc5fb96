using VPNLens.Core.Regressions;
using VPNLens.Core.Runs;
using VPNLens.Web.Figures;

namespace VPNLens.Web.History;

/// <summary>A protocol's latest TCP figures on a node, and the shape of its recent downloads.</summary>
public sealed record ProtocolTrend(string Protocol, DateTimeOffset At, double? DownloadBitsPerSecond, double? UploadBitsPerSecond, double? LatencyMs, SparklineSpec Sparkline);

/// <summary>Each protocol's latest figures on a node for the dashboard, from the same run-level series as the history page.</summary>
public sealed class NodeTrends(SeriesReader reader)
{
    /// <summary>How many of the latest runs a sparkline shows.</summary>
    public const int Depth = 20;

    public async Task<List<ProtocolTrend>> ReadAsync(Guid nodeId, CancellationToken cancellationToken)
    {
        var trends = new List<ProtocolTrend>();
        foreach (var protocol in Protocols.Selectable.Prepend(Protocols.Direct))
        {
            var entries = await reader.ReadAsync(nodeId, protocol, null, null, Depth, withSettings: false, cancellationToken);
            if (entries.LastOrDefault(e => e.Succeeded && e.Result is not null) is not { } latest)
            {
                continue;
            }

            var downloads = SeriesReader.Points(entries, TrackedMetric.TcpDownload);
            var result = latest.Result!;
            trends.Add(new ProtocolTrend(
                protocol, latest.At, result.DownloadMedianBitsPerSecond, result.UploadMedianBitsPerSecond, result.LatencyIdleP50Ms,
                TrendCharts.Sparkline(downloads, TrendCharts.ColorOf(protocol))));
        }

        return trends;
    }
}
