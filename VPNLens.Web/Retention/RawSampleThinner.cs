using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using VPNLens.Core.Phases;
using VPNLens.Core.Retention;
using VPNLens.Core.Runs;
using VPNLens.Web.Hosting;
using VPNLens.Web.Persistence;

namespace VPNLens.Web.Retention;

/// <summary>
/// Removes the raw samples of runs that finished more than <see cref="RetentionOptions.RawSamplesDays"/> ago: the
/// per-second throughput in the run's results body and in each protocol result (<see cref="RawSamples"/>), and the
/// detail text of the phases that succeeded. Every phase row stays (the run page's phase board), and so does the detail
/// of a failed phase (the run's failure explanation). Queued and running runs are never touched. Safe on several
/// instances at once: a run is claimed by the update that marks it, in the same transaction as its rows.
/// </summary>
public sealed class RawSampleThinner(IDbContextFactory<AppDbContext> dbFactory, IOptions<RetentionOptions> options, TimeProvider time)
{
    private static readonly RunState[] Ended = [.. Enum.GetValues<RunState>().Where(s => s.IsTerminal())];

    /// <returns>How many runs were thinned.</returns>
    public async Task<int> ThinAsync(CancellationToken cancellationToken)
    {
        var days = options.Value.RawSamplesDays;
        if (days == 0)
        {
            return 0;
        }

        var total = 0;
        while (true)
        {
            var thinned = await ThinBatchAsync(time.GetUtcNow() - TimeSpan.FromDays(days), cancellationToken);
            total += thinned.Count;
            if (thinned.Candidates < options.Value.BatchSize)
            {
                break;
            }
        }

        if (total > 0)
        {
            await ReleaseFreePagesAsync(cancellationToken);
        }

        return total;
    }

    private async Task<(int Candidates, int Count)> ThinBatchAsync(DateTimeOffset finishedBefore, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var runs = await db.Runs.AsNoTracking()
            .Where(r => Ended.Contains(r.State) && r.FinishedAt < finishedBefore && r.SamplesRemovedAt == null)
            .OrderBy(r => r.Id)
            .Take(options.Value.BatchSize)
            .Select(r => new { r.Id, r.ResultsJson })
            .ToListAsync(cancellationToken);
        if (runs.Count == 0)
        {
            return (0, 0);
        }

        var now = time.GetUtcNow();
        var count = 0;
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        foreach (var run in runs)
        {
            var thinnedJson = run.ResultsJson is null ? null : RawSamples.RemoveFromResults(run.ResultsJson, now);
            var claimed = await db.Runs
                .Where(r => r.Id == run.Id && r.SamplesRemovedAt == null)
                .ExecuteUpdateAsync(s => s.SetProperty(r => r.SamplesRemovedAt, now).SetProperty(r => r.ResultsJson, thinnedJson), cancellationToken);
            if (claimed == 0)
            {
                continue;
            }

            await db.PhaseEvents
                .Where(e => e.RunId == run.Id && e.Status != PhaseStatus.Failed && e.Detail != null)
                .ExecuteUpdateAsync(s => s.SetProperty(e => e.Detail, (string?)null), cancellationToken);
            count++;
        }

        await transaction.CommitAsync(cancellationToken);
        return (runs.Count, count);
    }

    /// <summary>
    /// SQLite: hands freed pages back to the file system when the database was created with auto_vacuum = INCREMENTAL;
    /// otherwise (the default) it does nothing and SQLite reuses the freed pages for new runs, so the file stops growing.
    /// PostgreSQL's autovacuum reclaims the space on its own.
    /// </summary>
    private async Task ReleaseFreePagesAsync(CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        if (db.Database.IsSqlite())
        {
            await db.Database.ExecuteSqlRawAsync("PRAGMA incremental_vacuum;", cancellationToken);
        }
    }
}

/// <summary>Runs <see cref="RawSampleThinner"/> at start and every <see cref="RetentionOptions.CheckInterval"/>.</summary>
public sealed class RawSampleSweeper(
    RawSampleThinner thinner,
    IOptions<RetentionOptions> options,
    TimeProvider time,
    ILogger<RawSampleSweeper> logger) : PeriodicSweeper(time, logger)
{
    protected override TimeSpan Interval => options.Value.CheckInterval;

    protected override string Work => "Removing raw samples past retention";

    protected override async Task RoundAsync(CancellationToken cancellationToken)
    {
        var thinned = await thinner.ThinAsync(cancellationToken);
        if (thinned > 0)
        {
            logger.LogInformation("Removed the per-second samples of {Count} runs past retention", thinned);
        }
    }
}
