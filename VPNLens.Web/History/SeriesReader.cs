using Microsoft.EntityFrameworkCore;
using VPNLens.Core.Regressions;
using VPNLens.Core.Results;
using VPNLens.Core.Runs;
using VPNLens.Web.Persistence;

namespace VPNLens.Web.History;

/// <summary>One run's outcome for one protocol, as the history shows it: the figure when it succeeded, the state when not.</summary>
public sealed record HistoryEntry(Guid RunId, DateTimeOffset At, RunState State, bool Succeeded, RunSettings Settings, ProtocolResult? Result);

/// <summary>Reads the history of one node × protocol from the stored run-level results (never the raw samples).</summary>
public sealed class SeriesReader(IDbContextFactory<AppDbContext> dbFactory)
{
    public async Task<List<HistoryEntry>> ReadAsync(Guid nodeId, string protocol, DateTimeOffset? from, DateTimeOffset? to, int? latest, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
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

        var query =
            from run in runs
            join result in db.ProtocolResults.Where(p => p.Protocol == protocol) on run.Id equals result.RunId into results
            from result in results.DefaultIfEmpty()
            orderby run.FinishedAt descending
            select new
            {
                run.Id,
                run.FinishedAt,
                run.State,
                run.Settings,
                run.Protocols,
                Result = result == null ? null : new ProtocolResult
                {
                    RunId = result.RunId,
                    Protocol = result.Protocol,
                    Succeeded = result.Succeeded,
                    ErrorMessage = result.ErrorMessage,
                    UploadMedianBitsPerSecond = result.UploadMedianBitsPerSecond,
                    DownloadMedianBitsPerSecond = result.DownloadMedianBitsPerSecond,
                    LatencyIdleP50Ms = result.LatencyIdleP50Ms,
                    UdpJitterMs = result.UdpJitterMs,
                    UdpLossPercent = result.UdpLossPercent,
                    SetupMs = result.SetupMs,
                    RecoveryMs = result.RecoveryMs,
                    Json = string.Empty,
                },
            };
        // Protocols is stored as one text column; which runs measured this protocol is decided here.
        var rows = new List<HistoryEntry>();
        await foreach (var row in query.AsAsyncEnumerable().WithCancellation(cancellationToken))
        {
            if (!row.Protocols.Contains(protocol, StringComparer.Ordinal))
            {
                continue;
            }

            rows.Add(new HistoryEntry(row.Id, row.FinishedAt!.Value, row.State, row.Result?.Succeeded == true, row.Settings, row.Result));
            if (rows.Count == latest)
            {
                break;
            }
        }

        rows.Reverse();
        return rows;
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
