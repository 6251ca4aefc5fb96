using Hangfire;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using VPNLens.Core.Runs;
using VPNLens.Web.Nodes;
using VPNLens.Web.Persistence;

namespace VPNLens.Web.Runs;

/// <summary>
/// One queued run, start to end: wait for the node to be free, dispatch run.sh over SSH, then hold the
/// queue until the run ends (final callback, deadline or cancel) and its node is torn down.
/// </summary>
public sealed class BenchmarkJob(
    IDbContextFactory<AppDbContext> dbFactory,
    IRemoteNodeClient nodes,
    RunTransitions transitions,
    RunSecrets secrets,
    RunEvents events,
    IOptions<CallbackOptions> callbacks,
    ILogger<BenchmarkJob> logger)
{
    // The job looks again when a run changes state; this poll is only for what no event announces (the reaper
    // finishing a cancelled run's remote stop). Slow on purpose: while a run measures, the app shares its machine
    // with the VPN endpoints, and every wake-up of ours is time a single-threaded VPN daemon may not get.
    internal static readonly TimeSpan FallbackPollInterval = TimeSpan.FromSeconds(2);

    // A benchmark is never silently repeated: a failure ends the run, it does not re-queue it.
    [AutomaticRetry(Attempts = 0)]
    [Queue(RunQueue.QueueName)]
    public async Task ExecuteAsync(Guid runId, CancellationToken cancellationToken)
    {
        await WaitUntilAsync(db => db.Runs.AnyAsync(r => r.Id != runId && (r.State == RunState.Running || r.RemoteStopPending), cancellationToken), busy: true, cancellationToken);

        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            var run = await db.Runs.AsNoTracking().FirstOrDefaultAsync(r => r.Id == runId, cancellationToken);
            if (run is null || run.State != RunState.Queued)
            {
                logger.LogInformation("Run {RunId} is {State}; nothing to dispatch", runId, run?.State.ToString() ?? "gone");
            }
            else if (await transitions.TryStartAsync(runId, cancellationToken))
            {
                await DispatchAsync(db, run, cancellationToken);
            }
        }

        await WaitUntilAsync(db => db.Runs.AnyAsync(r => r.Id == runId && (r.State == RunState.Running || r.RemoteStopPending), cancellationToken), busy: true, cancellationToken);
    }

    private async Task DispatchAsync(AppDbContext db, Run run, CancellationToken cancellationToken)
    {
        var node = await db.Nodes.AsNoTracking().FirstOrDefaultAsync(n => n.Id == run.NodeId, cancellationToken);
        if (node is null)
        {
            await transitions.TryEndAsync(run.Id, RunState.Failed, "The node was deleted before the run started.", cancellationToken, RunState.Running);
            return;
        }

        try
        {
            var parameters = RunParameters.For(run, callbacks.Value.BaseUrl, await secrets.ForAsync(run, cancellationToken));
            var pid = await nodes.StartRunAsync(node, parameters, cancellationToken);
            await transitions.RecordRemotePidAsync(run.Id, pid, cancellationToken);
        }
        catch (Exception ex) when (ex is RemoteNodeException or Headscale.HeadscaleUnavailableException)
        {
            logger.LogWarning("Run {RunId} failed to start on {Node}: {Reason}", run.Id, node.Name, ex.Message);
            await transitions.TryEndAsync(run.Id, RunState.Failed, $"Could not start the run on {node.Name}: {ex.Message}", cancellationToken, RunState.Running);
        }
    }

    private async Task WaitUntilAsync(Func<AppDbContext, Task<bool>> stillBusy, bool busy, CancellationToken cancellationToken)
    {
        // Not disposed: an event already on its way may still release it after the subscription ends.
        var changed = new SemaphoreSlim(0);
        using var subscription = events.Subscribe(e =>
        {
            if (e is RunStateChanged)
            {
                changed.Release();
            }

            return Task.CompletedTask;
        });
        while (true)
        {
            await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
            {
                if (await stillBusy(db) != busy)
                {
                    return;
                }
            }

            await changed.WaitAsync(FallbackPollInterval, cancellationToken);
            while (changed.Wait(0, CancellationToken.None))
            {
                // one look at the database answers every change that came in meanwhile
            }
        }
    }
}
