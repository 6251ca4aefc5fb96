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
/// Reads the history of one node × protocol from the stored run-level results (never the raw samples, never a results body).
/// The run columns come from the covering index on (NodeId, FinishedAt, State, Protocols, Id), so a year of runs is read
/// without touching the run rows, whose results body makes each one several pages long.
/// </summary>
public sealed class SeriesReader(IDbContextFactory<AppDbContext> dbFactory)
{
    /// <param name="withSettings">Also read each run's settings (a second, small query by id): only for a short series.</param>
    public async Task<List<HistoryEntry>> ReadAsync(
        Guid nodeId, string protocol, DateTimeOffset? from, DateTimeOffset? to, int? latest, bool withSettings, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var query = Query(db, nodeId, protocol, from, to);

        // Protocols is stored as one text column; which runs measured this protocol is decided here.
        var rows = new List<HistoryEntry>();
        await foreach (var row in query.AsAsyncEnumerable().WithCancellation(cancellationToken))
        {
            if (!row.Protocols.Contains(protocol, StringComparer.Ordinal))
            {
                continue;
            }

            rows.Add(new HistoryEntry(row.Id, row.FinishedAt!.Value, row.State, row.Result?.Succeeded == true, null, row.Result));
            if (rows.Count == latest)
            {
                break;
            }
        }

        rows.Reverse();
        return withSettings ? await WithSettingsAsync(db, rows, cancellationToken) : rows;
    }

    /// <summary>The node's finished runs in this range, latest first, each with this protocol's figures if it has them.</summary>
    internal static IQueryable<SeriesRow> Query(AppDbContext db, Guid nodeId, string protocol, DateTimeOffset? from, DateTimeOffset? to)
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

        return
            from run in runs
            join result in db.ProtocolResults.Where(p => p.Protocol == protocol) on run.Id equals result.RunId into results
            from result in results.DefaultIfEmpty()
            orderby run.FinishedAt descending
            select new SeriesRow
            {
                Id = run.Id,
                FinishedAt = run.FinishedAt,
                State = run.State,
                Protocols = run.Protocols,
                Result = result == null ? null : new ProtocolResult
                {
                    RunId = result.RunId,
                    Protocol = result.Protocol,
                    Succeeded = result.Succeeded,
                    UploadMedianBitsPerSecond = result.UploadMedianBitsPerSecond,
                    DownloadMedianBitsPerSecond = result.DownloadMedianBitsPerSecond,
                    LatencyIdleP50Ms = result.LatencyIdleP50Ms,
                    UdpJitterMs = result.UdpJitterMs,
                    UdpLossPercent = result.UdpLossPercent,
                    SetupMs = result.SetupMs,
                    RecoveryMs = result.RecoveryMs,
                },
            };
    }

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

/// <summary>A run as the series reads it: the columns the covering index holds, and this protocol's figures.</summary>
internal sealed class SeriesRow
{
    public Guid Id { get; init; }

    public DateTimeOffset? FinishedAt { get; init; }

    public RunState State { get; init; }

    public required List<string> Protocols { get; init; }

    public ProtocolResult? Result { get; init; }
}
