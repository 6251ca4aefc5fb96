using Microsoft.EntityFrameworkCore;
using VPNLens.Core.Nodes;
using VPNLens.Core.Regressions;
using VPNLens.Core.Runs;
using VPNLens.Web.Figures;
using VPNLens.Web.Persistence;

namespace VPNLens.Web.History;

/// <summary>One run of one protocol, as the history table lists it.</summary>
public sealed record HistoryRow(HistoryEntry Entry, string Protocol);

/// <summary>What the history page shows for a node: a trend chart per metric over every protocol, and the runs behind them.</summary>
public sealed record NodeHistoryView(Node Node, IReadOnlyList<string> Protocols, IReadOnlyList<TrendChartSpec> Charts, IReadOnlyList<HistoryRow> Rows, bool Truncated);

/// <summary>Reads a node's history over a range; the change points come from <see cref="SeriesChangePoints"/> (E-Divisive), as the API's.</summary>
public sealed class NodeHistory(IDbContextFactory<AppDbContext> dbFactory, SeriesReader reader, SeriesChangePoints changePoints, TimeProvider time)
{
    /// <summary>The most runs per protocol a page charts: more points than a chart this wide can show apart.</summary>
    public const int MaxRuns = 200;

    /// <summary>The history of <paramref name="nodeId"/>, or null when there is no such node.</summary>
    public async Task<NodeHistoryView?> ReadAsync(Guid nodeId, string? protocol, HistoryRange range, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(range);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var node = await db.Nodes.AsNoTracking().FirstOrDefaultAsync(n => n.Id == nodeId, cancellationToken);
        if (node is null)
        {
            return null;
        }

        var from = range.From(time.GetUtcNow());
        var candidates = protocol is null ? [Protocols.Direct, .. Protocols.Selectable] : new List<string> { protocol };
        var series = new List<(string Protocol, List<HistoryEntry> Entries)>();
        var truncated = false;
        foreach (var name in candidates)
        {
            var entries = await reader.ReadAsync(nodeId, name, from, null, MaxRuns, withSettings: false, cancellationToken);
            truncated |= entries.Count == MaxRuns;
            if (entries.Count > 0)
            {
                series.Add((name, entries));
            }
        }

        var charts = TrackedMetric.All
            .Select(metric => TrendCharts.Trend(metric, [.. series.Select(s => HistoryApi.Build(nodeId, s.Protocol, metric, s.Entries, changePoints))]))
            .Where(chart => chart.Series.Any(s => s.Points.Count > 0))
            .ToList();
        var rows = series.SelectMany(s => s.Entries.Select(e => new HistoryRow(e, s.Protocol)))
            .OrderByDescending(r => r.Entry.At).ThenBy(r => r.Protocol, StringComparer.Ordinal)
            .ToList();
        return new NodeHistoryView(node, [.. series.Select(s => s.Protocol)], charts, rows, truncated);
    }
}
