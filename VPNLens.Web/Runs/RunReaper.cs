using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using VPNLens.Core.Runs;
using VPNLens.Web.Nodes;
using VPNLens.Web.Persistence;

namespace VPNLens.Web.Runs;

/// <summary>
/// Enforces deadlines and frees nodes: a running run past its deadline becomes TimedOut, and any run
/// that ended while its script was still running has that script stopped and the node torn down.
/// Works from the database alone, so it also recovers runs that were running when the app restarted.
/// </summary>
public sealed class RunReaper(
    IDbContextFactory<AppDbContext> dbFactory,
    RunTransitions transitions,
    IRemoteNodeClient nodes,
    IOptions<RunOptions> options,
    TimeProvider time,
    ILogger<RunReaper> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.DeadlineCheckInterval, time);
        do
        {
            try
            {
                await TimeOutOverdueRunsAsync(stoppingToken);
                await StopAbandonedScriptsAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is DbUpdateException or InvalidOperationException or System.Data.Common.DbException)
            {
                logger.LogError(ex, "The run reaper failed this round; it tries again next tick");
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
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
            var reason = $"No results within the {Describe(run.Timeout)} deadline; the node's script was stopped and its VPNs torn down.";
            if (await transitions.TryEndAsync(run.Id, RunState.TimedOut, reason, cancellationToken, RunState.Running))
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
                    // The node stays blocked only as long as it cannot be reached; the next run's
                    // stop-everything phase tears down whatever this one left.
                    problem = ex.Message;
                    logger.LogWarning("Could not stop run {RunId} on its node: {Reason}", run.Id, ex.Message);
                }
            }

            var reason = problem is null ? run.FailureReason : $"{run.FailureReason} Stopping the script failed: {problem}";
            await db.Runs.Where(r => r.Id == run.Id)
                .ExecuteUpdateAsync(s => s.SetProperty(r => r.RemoteStopPending, false).SetProperty(r => r.FailureReason, reason), cancellationToken);
        }
    }

    private static string Describe(TimeSpan timeout) =>
        timeout.TotalMinutes >= 1 ? $"{timeout.TotalMinutes:0.#}-minute" : $"{timeout.TotalSeconds:0.#}-second";
}
