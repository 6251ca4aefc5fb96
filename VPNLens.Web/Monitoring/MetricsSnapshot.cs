using Microsoft.EntityFrameworkCore;
using VPNLens.Core.Regressions;
using VPNLens.Core.Results;
using VPNLens.Core.Runs;
using VPNLens.Web.Persistence;

namespace VPNLens.Web.Monitoring;

/// <summary>The latest successful result of one node × protocol and when its run finished.</summary>
public sealed record LatestResult(string Node, string Protocol, DateTimeOffset FinishedAt, ProtocolResult Result);

/// <summary>What /metrics reports, read from the database at scrape time so every instance reports the same.</summary>
public sealed record MetricsSnapshot(
    IReadOnlyList<LatestResult> Latest,
    IReadOnlyDictionary<RunState, int> RunsByState,
    IReadOnlyList<string> Nodes,
    IReadOnlyDictionary<(string Node, AlertKind Kind), int> OpenAlerts);

/// <summary>Reads a <see cref="MetricsSnapshot"/> in four queries, none of which touches the raw results JSON.</summary>
public sealed class MetricsSnapshotReader(IDbContextFactory<AppDbContext> dbFactory)
{
    public async Task<MetricsSnapshot> ReadAsync(CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var nodes = await db.Nodes.AsNoTracking().Select(n => new { n.Id, n.Name }).ToDictionaryAsync(n => n.Id, n => n.Name, cancellationToken);

        var latest = await (
                from result in db.ProtocolResults
                join run in db.Runs on result.RunId equals run.Id
                where result.Succeeded && run.FinishedAt != null && run.State != RunState.Cancelled
                select new
                {
                    run.NodeId,
                    run.FinishedAt,
                    result.Protocol,
                    result.UploadMedianBitsPerSecond,
                    result.DownloadMedianBitsPerSecond,
                    result.LatencyIdleP50Ms,
                    result.UdpJitterMs,
                    result.UdpLossPercent,
                    result.SetupMs,
                    result.RecoveryMs,
                })
            .GroupBy(r => new { r.NodeId, r.Protocol })
            .Select(g => g.OrderByDescending(r => r.FinishedAt).First())
            .AsNoTracking()
            .ToListAsync(cancellationToken);

        var runsByState = await db.Runs.AsNoTracking()
            .GroupBy(r => r.State)
            .Select(g => new { State = g.Key, Count = g.Count() })
            .ToDictionaryAsync(g => g.State, g => g.Count, cancellationToken);

        var openAlerts = await db.Alerts.AsNoTracking()
            .Where(a => a.RecoveredAt == null)
            .GroupBy(a => new { a.NodeId, a.Kind })
            .Select(g => new { g.Key.NodeId, g.Key.Kind, Count = g.Count() })
            .ToListAsync(cancellationToken);

        return new MetricsSnapshot(
            [.. latest.Where(r => nodes.ContainsKey(r.NodeId)).Select(r => new LatestResult(nodes[r.NodeId], r.Protocol, r.FinishedAt!.Value, new ProtocolResult
            {
                Protocol = r.Protocol,
                Succeeded = true,
                UploadMedianBitsPerSecond = r.UploadMedianBitsPerSecond,
                DownloadMedianBitsPerSecond = r.DownloadMedianBitsPerSecond,
                LatencyIdleP50Ms = r.LatencyIdleP50Ms,
                UdpJitterMs = r.UdpJitterMs,
                UdpLossPercent = r.UdpLossPercent,
                SetupMs = r.SetupMs,
                RecoveryMs = r.RecoveryMs,
            }))],
            runsByState,
            [.. nodes.Values.Order(StringComparer.Ordinal)],
            openAlerts.Where(a => nodes.ContainsKey(a.NodeId)).ToDictionary(a => (nodes[a.NodeId], a.Kind), a => a.Count));
    }
}
