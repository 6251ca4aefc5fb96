using Microsoft.EntityFrameworkCore;
using VPNLens.Core.Regressions;
using VPNLens.Core.Results;
using VPNLens.Core.Runs;
using VPNLens.Web.Persistence;

namespace VPNLens.Web.History;

/// <summary>One run's outcome for one protocol, as the history shows it: the figure when it succeeded, the state when not.</summary>
/// <remarks><see cref="Settings"/> is null unless the reader was asked for it.</remarks>
public sealed record HistoryEntry(Guid RunId, DateTimeOffset At, RunState State, bool Succeeded, RunSettings? Settings, ProtocolResult? Result);

/// <summary>
/// Reads the history of one node × protocol from the stored run-level results (never the raw samples, never a results body),
/// in two range scans merged here: the node's runs from the covering index on (NodeId, FinishedAt, State, Protocols, Id),
/// which also gives the runs that ended without results, and the node's results for the protocol from the covering index
/// on (NodeId, Protocol, FinishedAt, figures…, RunId). Neither touches a run row, whose results body makes each one several
/// pages long, and neither looks a result up by its run's id.
/// </summary>
public sealed class SeriesReader(IDbContextFactory<AppDbContext> dbFactory)
{
    /// <param name="withSettings">Also read each run's settings (a second, small query by id): only for a short series.</param>
    public async Task<List<HistoryEntry>> ReadAsync(
        Guid nodeId, string protocol, DateTimeOffset? from, DateTimeOffset? to, int? latest, bool withSettings, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);

        // Protocols is stored as one text column; which runs measured this protocol is decided here.
        var runs = new List<SeriesRow>();
        await foreach (var run in Runs(db, nodeId, from, to).AsAsyncEnumerable().WithCancellation(cancellationToken))
        {
            if (!run.Protocols.Contains(protocol, StringComparer.Ordinal))
            {
                continue;
            }

            runs.Add(run);
            if (runs.Count == latest)
            {
                break;
            }
        }

        if (runs.Count == 0)
        {
            return [];
        }

        // The results of exactly the time the runs span (all of from–to, or only the latest runs'), matched by run.
        var results = await Results(db, nodeId, protocol, runs[^1].FinishedAt!.Value, runs[0].FinishedAt!.Value)
            .ToDictionaryAsync(r => r.RunId, cancellationToken);
        var rows = new List<HistoryEntry>(runs.Count);
        for (var i = runs.Count - 1; i >= 0; i--)
        {
            var run = runs[i];
            var result = results.GetValueOrDefault(run.Id);
            rows.Add(new HistoryEntry(run.Id, run.FinishedAt!.Value, run.State, result?.Succeeded == true, null, result));
        }

        return withSettings ? await WithSettingsAsync(db, rows, cancellationToken) : rows;
    }

    /// <summary>The node's finished runs in this range, latest first: the columns the runs' covering index holds.</summary>
    internal static IQueryable<SeriesRow> Runs(AppDbContext db, Guid nodeId, DateTimeOffset? from, DateTimeOffset? to)
    {
        var runs = db.Runs.AsNoTracking()
            .Where(r => r.NodeId == nodeId && r.FinishedAt != null && r.State != RunState.Cancelled);
        if (from is { } start)
        {
            runs = runs.Where(r => r.FinishedAt >= start);
        }

        if (to is { } end)
        {
            runs = runs.Where(r => r.FinishedAt <= end);
        }

        return runs
            .OrderByDescending(r => r.FinishedAt)
            .Select(r => new SeriesRow { Id = r.Id, FinishedAt = r.FinishedAt, State = r.State, Protocols = r.Protocols });
    }

    /// <summary>The node's results for this protocol whose runs ended in [from, to]: the columns the series index holds.</summary>
    internal static IQueryable<ProtocolResult> Results(AppDbContext db, Guid nodeId, string protocol, DateTimeOffset from, DateTimeOffset to) =>
        db.ProtocolResults.AsNoTracking()
            .Where(p => p.NodeId == nodeId && p.Protocol == protocol && p.FinishedAt >= from && p.FinishedAt <= to)
            .Select(p => new ProtocolResult
            {
                RunId = p.RunId,
                NodeId = p.NodeId,
                FinishedAt = p.FinishedAt,
                Protocol = p.Protocol,
                Succeeded = p.Succeeded,
                UploadMedianBitsPerSecond = p.UploadMedianBitsPerSecond,
                DownloadMedianBitsPerSecond = p.DownloadMedianBitsPerSecond,
                LatencyIdleP50Ms = p.LatencyIdleP50Ms,
                UdpJitterMs = p.UdpJitterMs,
                UdpLossPercent = p.UdpLossPercent,
                SetupMs = p.SetupMs,
                RecoveryMs = p.RecoveryMs,
            });

    private static async Task<List<HistoryEntry>> WithSettingsAsync(AppDbContext db, List<HistoryEntry> rows, CancellationToken cancellationToken)
    {
        var ids = rows.Select(r => r.RunId).ToList();
        var settings = await db.Runs.AsNoTracking().Where(r => ids.Contains(r.Id))
            .Select(r => new { r.Id, r.Settings })
            .ToDictionaryAsync(r => r.Id, r => r.Settings, cancellationToken);
        return [.. rows.Select(r => r with { Settings = settings[r.RunId] })];
    }

    /// <summary>The figure of each successful result, oldest first.</summary>
    public static List<SeriesPoint> Points(IEnumerable<HistoryEntry> entries, TrackedMetric metric)
    {
        ArgumentNullException.ThrowIfNull(metric);
        return [.. entries
            .Where(e => e.Succeeded && e.Result is not null && metric.Value(e.Result) is not null)
            .Select(e => new SeriesPoint(e.At, metric.Value(e.Result!)!.Value))];
    }
}

/// <summary>A run as the series reads it: the columns the runs' covering index holds.</summary>
internal sealed class SeriesRow
{
    public Guid Id { get; init; }

    public DateTimeOffset? FinishedAt { get; init; }

    public RunState State { get; init; }

    public required List<string> Protocols { get; init; }
}
