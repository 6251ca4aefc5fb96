using System.Data.Common;
using Hangfire;
using Hangfire.States;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using VPNLens.Core.Runs;
using VPNLens.Web.Persistence;

namespace VPNLens.Web.Runs;

/// <summary>
/// Starts queued runs whose resources are free, oldest first, and returns. A run waits for the runs queued before it
/// that share any of its resources, so runs on one node or one endpoint stay strictly in queue order, while runs that
/// share nothing start side by side. Taking the leases and moving the run to Running is one transaction, shared by a
/// chunk of the round's runs, whose starts then go on together (<see cref="IRunStarts"/>); the unique lease rows make
/// a second dispatcher (another worker or instance) lose instead of starting a run twice, and on PostgreSQL a chunk
/// skips the runs another dispatcher's chunk holds instead of waiting for them.
/// </summary>
public sealed class RunDispatcher(
    IDbContextFactory<AppDbContext> dbFactory,
    RunTransitions transitions,
    IRunStarts starts,
    IOptions<RunOptions> options,
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
            var began = time.GetTimestamp();
            var startable = await StartableAsync(cancellationToken);
            if (startable.Count == 0)
            {
                return;
            }

            var read = time.GetElapsedTime(began);
            var started = 0;
            var announcing = TimeSpan.Zero;
            var handingOver = TimeSpan.Zero;
            foreach (var chunk in InTurn(startable.Chunk(options.Value.DispatchChunk).ToList()))
            {
                var startedNow = await StartAsync(chunk, cancellationToken);
                if (startedNow.Count == 0)
                {
                    continue;
                }

                var announced = time.GetTimestamp();
                foreach (var (runId, transition) in startedNow)
                {
                    await transitions.AfterAsync(runId, transition);
                }

                var handing = time.GetTimestamp();
                announcing += time.GetElapsedTime(announced, handing);
                starts.Start([.. startedNow.Select(s => s.RunId)]);
                handingOver += time.GetElapsedTime(handing);
                started += startedNow.Count;
            }

            logger.LogDebug(
                "Dispatch round: {Started} of {Startable} startable runs started in {Total} ms (reading {Read} ms, announcing {Announcing} ms, handing over starts {HandingOver} ms)",
                started, startable.Count, (long)time.GetElapsedTime(began).TotalMilliseconds, (long)read.TotalMilliseconds, (long)announcing.TotalMilliseconds, (long)handingOver.TotalMilliseconds);
        }
    }

    /// <summary>
    /// A round's chunks from a random one on, wrapping round. Another instance woken by the same run ends finds the
    /// same startable runs; walking them from the same end, the two would contend for every chunk's rows in turn. The
    /// startable runs share no resource, so the order they start in keeps every resource's queue order.
    /// </summary>
    private static IEnumerable<T> InTurn<T>(List<T> chunks)
    {
        var first = chunks.Count < 2 ? 0 : Random.Shared.Next(chunks.Count);
        for (var i = 0; i < chunks.Count; i++)
        {
            yield return chunks[(first + i) % chunks.Count];
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
        // Each queued run with its node's endpoint (none when the node is gone), in one query. The queue is read before
        // the leases: a run another dispatcher starts between the two reads is then seen queued with its leases taken,
        // never gone from the queue with its leases not yet seen, which would let the run behind it look free.
        var queued = await RunQueue.InQueueOrder(db.Runs.AsNoTracking().Where(r => r.State == RunState.Queued))
            .Select(r => new { r.Id, r.NodeId, Endpoint = db.Nodes.Where(n => n.Id == r.NodeId).Select(n => n.Endpoint).FirstOrDefault() })
            .ToListAsync(cancellationToken);
        var taken = (await db.RunLeases.AsNoTracking().Select(l => l.Resource).ToListAsync(cancellationToken)).ToHashSet(StringComparer.Ordinal);
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

    /// <summary>
    /// Starts a chunk of startable runs in one transaction: their moves in one update, then all their leases in one save. When
    /// that transaction fails against another writer (a lease already taken, a lock lost), nothing of it is kept and
    /// the runs start one by one, so one run taken elsewhere costs the others nothing. Returns the runs started, in
    /// order, for their effects once committed.
    /// </summary>
    internal async Task<List<(Guid RunId, RunTransition Transition)>> StartAsync(IReadOnlyList<(Guid RunId, IReadOnlyList<string> Resources)> chunk, CancellationToken cancellationToken)
    {
        if (chunk.Count > 1)
        {
            try
            {
                return await TryStartAsync(chunk, cancellationToken);
            }
            catch (Exception ex) when (ex is DbException or DbUpdateException)
            {
                logger.LogInformation("{Count} runs could not start together ({Reason}); starting them one by one", chunk.Count, ex.InnerException?.Message ?? ex.Message);
            }
        }

        var started = new List<(Guid RunId, RunTransition Transition)>();
        foreach (var run in chunk)
        {
            try
            {
                started.AddRange(await TryStartAsync([run], cancellationToken));
            }
            catch (DbUpdateException ex)
            {
                logger.LogInformation("Run {RunId} lost its leases to another dispatcher ({Reason}); looking again", run.RunId, ex.InnerException?.Message ?? ex.Message);
            }
        }

        return started;
    }

    private async Task<List<(Guid RunId, RunTransition Transition)>> TryStartAsync(IReadOnlyList<(Guid RunId, IReadOnlyList<string> Resources)> runs, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        IReadOnlyList<Guid> runIds = [.. runs.Select(r => r.RunId)];
        if (db.Database.IsNpgsql())
        {
            runIds = await ClaimAsync(db, runIds, cancellationToken);
        }

        var started = await transitions.StartAllAsync(db, runIds, cancellationToken);
        var resourcesOf = runs.ToDictionary(r => r.RunId, r => r.Resources);
        foreach (var (runId, transition) in started)
        {
            var start = transition.Start ?? throw new InvalidOperationException($"Run {runId} was started without a start time.");
            db.RunLeases.AddRange(resourcesOf[runId].Select(resource => new RunLease
            {
                Resource = resource,
                RunId = runId,
                TakenAt = start.At,
                ExpiresAt = transitions.LeaseExpiry(start.At, start.Timeout),
            }));
        }

        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return started;
    }

    /// <summary>
    /// Locks the runs of a chunk that are still queued, skipping those another dispatcher's open transaction holds:
    /// two instances woken by the same run ends find the same runs startable, and the one that comes second starts
    /// what is left instead of waiting for the other's commit, then failing on the runs it started.
    /// </summary>
    private static async Task<IReadOnlyList<Guid>> ClaimAsync(AppDbContext db, IReadOnlyList<Guid> runIds, CancellationToken cancellationToken)
    {
        Guid[] ids = [.. runIds];
        var queued = nameof(RunState.Queued);
        var claimed = (await db.Database.SqlQuery<Guid>($"""
                SELECT "Id" AS "Value" FROM "Runs" WHERE "Id" = ANY({ids}) AND "State" = {queued} FOR UPDATE SKIP LOCKED
                """).ToListAsync(cancellationToken)).ToHashSet();
        return [.. runIds.Where(claimed.Contains)];
    }
}

/// <summary>Queues a dispatch round as a Hangfire job, so any instance's worker picks it up.</summary>
public sealed class HangfireRunDispatchRequests(IBackgroundJobClient jobs) : IRunDispatchRequests
{
    public void Request() =>
        jobs.Create<RunDispatcher>(job => job.DispatchAsync(CancellationToken.None), new EnqueuedState(RunQueue.QueueName));
}
