using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using VPNLens.Core.Runs;
using VPNLens.Web.Nodes;
using VPNLens.Web.Persistence;

namespace VPNLens.Web.Runs;

/// <summary>
/// Works from the database alone, on every instance: recovers runs after a start, gives an overdue run's node the
/// chance to hand over the results it kept before the run is TimedOut, stops the scripts of runs that ended while
/// running, and takes back leases that outlived their run's deadline.
/// </summary>
public sealed class RunReaper(
    IDbContextFactory<AppDbContext> dbFactory,
    RunTransitions transitions,
    RunResultsFetcher fetcher,
    IRemoteNodeClient nodes,
    IRunDispatchRequests dispatch,
    IOptions<RunOptions> options,
    TimeProvider time,
    ILogger<RunReaper> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.DeadlineCheckInterval, time);
        var recovered = false;
        do
        {
            try
            {
                if (!recovered)
                {
                    await RecoverAsync(stoppingToken);
                    recovered = true;
                }

                await TimeOutOverdueRunsAsync(stoppingToken);
                await StopAbandonedScriptsAsync(stoppingToken);
                await ExpireLeasesAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is DbUpdateException or InvalidOperationException or System.Data.Common.DbException)
            {
                logger.LogError(ex, "The run reaper failed this round; it tries again next tick");
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    /// <summary>After a start: queued runs are dispatched, and running runs whose node already finished get their results.</summary>
    internal async Task RecoverAsync(CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var running = await db.Runs.AsNoTracking().Where(r => r.State == RunState.Running).Select(r => r.Id).ToListAsync(cancellationToken);
        foreach (var runId in running)
        {
            var recovered = await transitions.ApplyAsync(runId, RunTrigger.Recovered, null, cancellationToken);
            if (recovered.Move?.Asks(RunEffect.FetchResults) == true)
            {
                await fetcher.TryFetchAsync(runId, cancellationToken);
            }
        }

        dispatch.Request();
    }

    internal async Task TimeOutOverdueRunsAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var overdue = await db.Runs.AsNoTracking()
            .Where(r => r.State == RunState.Running && r.DeadlineAt < now)
            .Select(r => new { r.Id, r.Timeout })
            .ToListAsync(cancellationToken);
        foreach (var run in overdue)
        {
            var passed = await transitions.ApplyAsync(run.Id, RunTrigger.DeadlinePassed, null, cancellationToken);
            if (passed.Move?.Asks(RunEffect.FetchResults) == true && await fetcher.TryFetchAsync(run.Id, cancellationToken))
            {
                continue;
            }

            var reason = $"No results within the {Describe(run.Timeout)} deadline; the node's script was stopped and its VPNs torn down.";
            if ((await transitions.ApplyAsync(run.Id, RunTrigger.NothingToFetch, new RunChange(reason), cancellationToken)).Applied)
            {
                logger.LogWarning("Run {RunId} timed out", run.Id);
            }
        }
    }

    internal async Task StopAbandonedScriptsAsync(CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var pending = await db.Runs.AsNoTracking().Where(r => r.RemoteStopPending).ToListAsync(cancellationToken);
        foreach (var run in pending)
        {
            var node = await db.Nodes.AsNoTracking().FirstOrDefaultAsync(n => n.Id == run.NodeId, cancellationToken);
            string? problem = null;
            if (node is not null)
            {
                try
                {
                    await nodes.StopRunAsync(node, run.Id, run.RemotePid, cancellationToken);
                }
                catch (RemoteNodeException ex)
                {
                    // The node is freed anyway: the next run's stop-everything phase tears down whatever this one left.
                    problem = ex.Message;
                    logger.LogWarning("Could not stop run {RunId} on its node: {Reason}", run.Id, ex.Message);
                }
            }

            var change = problem is null ? null : new RunChange($"Stopping the script failed: {problem}", AppendReason: true);
            await transitions.ApplyAsync(run.Id, RunTrigger.RemoteStopped, change, cancellationToken);
        }
    }

    /// <summary>Leases past their expiry belong to a run that never let go (its instance died mid-stop): free them.</summary>
    internal async Task ExpireLeasesAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var expired = await db.RunLeases.Where(l => l.ExpiresAt < now).ExecuteDeleteAsync(cancellationToken);
        if (expired > 0)
        {
            logger.LogWarning("Took back {Count} expired lease(s)", expired);
            dispatch.Request();
        }
    }

    private static string Describe(TimeSpan timeout) =>
        timeout.TotalMinutes >= 1 ? $"{timeout.TotalMinutes:0.#}-minute" : $"{timeout.TotalSeconds:0.#}-second";
}
