using Hangfire;
using Hangfire.States;
using Microsoft.EntityFrameworkCore;
using VPNLens.Core.Runs;
using VPNLens.Web.Persistence;

namespace VPNLens.Web.Runs;

/// <summary>
/// Starts queued runs whose resources are free, oldest first, and returns. A run waits for the runs queued before it
/// that share any of its resources, so runs on one node or one endpoint stay strictly in queue order, while runs that
/// share nothing start side by side. Taking the leases and moving the run to Running is one transaction; the unique
/// lease rows make a second dispatcher (another worker or instance) lose instead of starting a run twice.
/// </summary>
public sealed class RunDispatcher(
    IDbContextFactory<AppDbContext> dbFactory,
    RunTransitions transitions,
    IBackgroundJobClient jobs,
    TimeProvider time,
    ILogger<RunDispatcher> logger)
{
    [AutomaticRetry(Attempts = 0)]
    [Queue(RunQueue.QueueName)]
    public async Task DispatchAsync(CancellationToken cancellationToken)
    {
        // Each round starts every run it found startable, then looks again: a run that lost its leases to another
        // dispatcher, or a lease freed meanwhile, only costs a round.
        for (var round = 0; round < 10_000; round++)
        {
            var startable = await StartableAsync(cancellationToken);
            if (startable.Count == 0)
            {
                return;
            }

            foreach (var (runId, resources) in startable)
            {
                if (await TryStartAsync(runId, resources, cancellationToken))
                {
                    jobs.Create<BenchmarkJob>(job => job.ExecuteAsync(runId, CancellationToken.None), new EnqueuedState(RunQueue.QueueName));
                }
            }
        }
    }

    /// <summary>
    /// Every queued run, oldest first, none of whose resources is leased or wanted by a run queued before it (or by
    /// one this list starts): one read of the leases and one of the queue with each run's node's endpoint, for all the
    /// runs a round can start.
    /// </summary>
    internal async Task<List<(Guid RunId, IReadOnlyList<string> Resources)>> StartableAsync(CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var taken = (await db.RunLeases.AsNoTracking().Select(l => l.Resource).ToListAsync(cancellationToken)).ToHashSet(StringComparer.Ordinal);
        // Each queued run with its node's endpoint (none when the node is gone), in one query.
        var queued = await RunQueue.InQueueOrder(db.Runs.AsNoTracking().Where(r => r.State == RunState.Queued))
            .Select(r => new { r.Id, r.NodeId, Endpoint = db.Nodes.Where(n => n.Id == r.NodeId).Select(n => n.Endpoint).FirstOrDefault() })
            .ToListAsync(cancellationToken);
        var startable = new List<(Guid RunId, IReadOnlyList<string> Resources)>();
        foreach (var run in queued)
        {
            // A run whose node is gone still starts, to fail at once with that reason.
            var resources = RunResources.Of(run.NodeId, run.Endpoint);
            if (resources.All(r => !taken.Contains(r)))
            {
                startable.Add((run.Id, resources));
            }

            taken.UnionWith(resources);
        }

        return startable;
    }

    private async Task<bool> TryStartAsync(Guid runId, IReadOnlyList<string> resources, CancellationToken cancellationToken)
    {
        RunTransition started;
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            started = await transitions.MoveAsync(db, runId, RunTrigger.Started, null, cancellationToken);
            if (!started.Applied)
            {
                return false;
            }

            var run = await db.Runs.AsNoTracking().Where(r => r.Id == runId).Select(r => new { r.StartedAt, r.Timeout }).SingleAsync(cancellationToken);
            var now = run.StartedAt ?? time.GetUtcNow();
            db.RunLeases.AddRange(resources.Select(resource => new RunLease
            {
                Resource = resource,
                RunId = runId,
                TakenAt = now,
                ExpiresAt = transitions.LeaseExpiry(now, run.Timeout),
            }));
            try
            {
                await db.SaveChangesAsync(cancellationToken);
                await transaction.CommitAsync(cancellationToken);
            }
            catch (DbUpdateException ex)
            {
                logger.LogInformation("Run {RunId} lost its leases to another dispatcher ({Reason}); looking again", runId, ex.InnerException?.Message ?? ex.Message);
                await transaction.RollbackAsync(cancellationToken);
                return false;
            }
        }

        await transitions.AfterAsync(runId, started);
        return true;
    }
}

/// <summary>Queues a dispatch round as a Hangfire job, so any instance's worker picks it up.</summary>
public sealed class HangfireRunDispatchRequests(IBackgroundJobClient jobs) : IRunDispatchRequests
{
    public void Request() =>
        jobs.Create<RunDispatcher>(job => job.DispatchAsync(CancellationToken.None), new EnqueuedState(RunQueue.QueueName));
}
