using Microsoft.EntityFrameworkCore;
using VPNLens.Core.Regressions;
using VPNLens.Core.Results;
using VPNLens.Core.Runs;
using VPNLens.Core.Statistics;
using VPNLens.Web.Persistence;

namespace VPNLens.Web.History;

/// <summary>
/// Keeps the stored days of every node × protocol × metric series (<see cref="DailyFigure"/>), computed from the same
/// entries the history reads run by run (<see cref="SeriesReader"/>): a day again when a run that ended on it is stored
/// (<see cref="RefreshRunAsync"/>), and after each start every series against its stored days, writing what differs
/// (<see cref="ReconcileAsync"/>, in the background: <see cref="DailyRollupStartup"/>), which fills the days of results
/// stored before the table existed or by anything else. Retention never removes a run's figures, so it leaves the days
/// alone; a node's days go with it.
/// </summary>
/// <remarks>
/// A series is read and its days written under one lock, so a day refreshed as a run ends while the check goes over
/// its series is written after the check's, from a read that has the run: a check that read the series before the run
/// ended cannot write its older figure over the newer one.
/// </remarks>
public sealed class DailyRollup(IDbContextFactory<AppDbContext> dbFactory, SeriesReader reader, SeriesChangePoints changePoints, ILogger<DailyRollup> logger)
    : IDailyRollupReconcile, IDisposable
{
    internal const long MillisecondsPerDay = 86_400_000;

    private readonly SemaphoreSlim writing = new(1, 1);

    public void Dispose() => writing.Dispose();

    /// <summary>Computes again, for each protocol <paramref name="runId"/> measured, the day it ended on; nothing for a run that has not ended.</summary>
    public async Task RefreshRunAsync(Guid runId, CancellationToken cancellationToken)
    {
        Guid nodeId;
        List<string> protocols;
        DateTimeOffset finishedAt;
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            var run = await db.Runs.AsNoTracking().Where(r => r.Id == runId)
                .Select(r => new { r.NodeId, r.FinishedAt, r.Protocols })
                .FirstOrDefaultAsync(cancellationToken);
            if (run?.FinishedAt is null)
            {
                return;
            }

            (nodeId, protocols, finishedAt) = (run.NodeId, run.Protocols, run.FinishedAt.Value);
        }

        var day = DayOf(finishedAt);
        foreach (var protocol in protocols)
        {
            await RefreshAsync(nodeId, protocol, day, day, cancellationToken);
        }
    }

    /// <summary>Computes the days <paramref name="first"/> to <paramref name="last"/> of a node's protocol again, every metric.</summary>
    public async Task RefreshAsync(Guid nodeId, string protocol, DateOnly first, DateOnly last, CancellationToken cancellationToken)
    {
        await writing.WaitAsync(cancellationToken);
        try
        {
            var entries = await reader.ReadAsync(nodeId, protocol, StartOf(first), EndOf(last), null, withSettings: false, cancellationToken);
            await ReplaceAsync(nodeId, protocol, first, last, RowsOf(nodeId, protocol, entries), cancellationToken);
        }
        finally
        {
            writing.Release();
        }
    }

    /// <summary>
    /// Checks every node's series against its stored days and rewrites the span of days that differ, then finds each
    /// whole series' change points so that the first request for a series does not wait for them.
    /// </summary>
    /// <returns>How many days were written.</returns>
    public async Task<int> ReconcileAsync(CancellationToken cancellationToken)
    {
        List<Guid> nodes;
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            nodes = await db.Nodes.AsNoTracking().Select(n => n.Id).ToListAsync(cancellationToken);
        }

        var written = 0;
        foreach (var nodeId in nodes)
        {
            foreach (var protocol in Protocols.Selectable.Prepend(Protocols.Direct))
            {
                List<HistoryEntry> entries;
                List<DailyFigure> rows;
                await writing.WaitAsync(cancellationToken);
                try
                {
                    entries = await reader.ReadAsync(nodeId, protocol, null, null, null, withSettings: false, cancellationToken);
                    rows = RowsOf(nodeId, protocol, entries);
                    try
                    {
                        written += await WriteChangedAsync(nodeId, protocol, rows, cancellationToken);
                    }
                    catch (DbUpdateException e)
                    {
                        // another instance starting on the same database wrote the same days first
                        logger.LogWarning(e, "Could not store the days of node {NodeId}'s {Protocol} series", nodeId, protocol);
                    }
                }
                finally
                {
                    writing.Release();
                }

                foreach (var metric in TrackedMetric.All)
                {
                    changePoints.RememberDays(HashesOf(rows.Where(r => r.Metric == metric.Key)), SeriesReader.Points(entries, metric));
                }
            }
        }

        return written;
    }

    /// <summary>Each UTC day of the entries, for every tracked metric.</summary>
    internal static List<DailyFigure> RowsOf(Guid nodeId, string protocol, IReadOnlyList<HistoryEntry> entries) =>
        [.. entries.GroupBy(e => DayOf(e.At)).SelectMany(day => TrackedMetric.All.Select(metric =>
        {
            var (band, hash) = DayFigures([.. day], metric);
            return new DailyFigure
            {
                NodeId = nodeId,
                Protocol = protocol,
                Metric = metric.Key,
                Day = band.Day,
                Runs = band.Runs,
                Failed = band.Failed,
                Median = band.Median,
                Min = band.Min,
                Max = band.Max,
                PointsHash = hash,
            };
        }))];

    /// <summary>One day's band and the digest of its points (<see cref="SeriesChangePoints.DayHash"/>), from its entries oldest first.</summary>
    internal static (DailyBand Band, long Hash) DayFigures(IReadOnlyList<HistoryEntry> day, TrackedMetric metric) =>
        (DailyBands.Of(day.Select(e => HistoryApi.FigureOf(e, metric))).Single(), SeriesChangePoints.DayHash(SeriesReader.Points(day, metric)));

    /// <summary>The digests that name a series' change points: its days that have a figure, oldest first.</summary>
    internal static List<long> HashesOf(IEnumerable<DailyFigure> days) =>
        [.. days.Where(d => d.Median is not null).OrderBy(d => d.Day).Select(d => d.PointsHash)];

    internal static DateOnly DayOf(DateTimeOffset at) => DateOnly.FromDateTime(at.UtcDateTime);

    internal static DateTimeOffset StartOf(DateOnly day) => new(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);

    /// <summary>The last instant of a day as the runs store it (milliseconds).</summary>
    internal static DateTimeOffset EndOf(DateOnly day) => StartOf(day.AddDays(1)).AddMilliseconds(-1);

    private async Task<int> WriteChangedAsync(Guid nodeId, string protocol, List<DailyFigure> rows, CancellationToken cancellationToken)
    {
        List<DailyFigure> stored;
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            stored = await db.DailyFigures.AsNoTracking().Where(d => d.NodeId == nodeId && d.Protocol == protocol).ToListAsync(cancellationToken);
        }

        var have = stored.Select(Content).ToHashSet();
        var want = rows.Select(Content).ToHashSet();
        var changed = want.Except(have).Concat(have.Except(want)).Select(c => c.Day).Distinct().Order().ToList();
        if (changed.Count == 0)
        {
            return 0;
        }

        var (first, last) = (changed[0], changed[^1]);
        var span = rows.Where(r => r.Day >= first && r.Day <= last).ToList();
        await ReplaceAsync(nodeId, protocol, first, last, span, cancellationToken);
        return span.Select(r => r.Day).Distinct().Count();
    }

    private async Task ReplaceAsync(Guid nodeId, string protocol, DateOnly first, DateOnly last, List<DailyFigure> rows, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await db.DailyFigures.Where(d => d.NodeId == nodeId && d.Protocol == protocol && d.Day >= first && d.Day <= last).ExecuteDeleteAsync(cancellationToken);
        db.DailyFigures.AddRange(rows);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    private static (string Metric, DateOnly Day, int Runs, int Failed, double? Median, double? Min, double? Max, long Hash) Content(DailyFigure d) =>
        (d.Metric, d.Day, d.Runs, d.Failed, d.Median, d.Min, d.Max, d.PointsHash);
}
