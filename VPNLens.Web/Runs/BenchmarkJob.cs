using Hangfire;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using VPNLens.Core.Runs;
using VPNLens.Web.Nodes;
using VPNLens.Web.Persistence;

namespace VPNLens.Web.Runs;

/// <summary>
/// Starts one run that the dispatcher has moved to Running: connects to its node, starts run.sh, records its pid
/// and returns. The node measures on its own; callbacks, the deadline or a cancel end the run.
/// </summary>
public sealed class BenchmarkJob(
    IDbContextFactory<AppDbContext> dbFactory,
    IRemoteNodeClient nodes,
    RunTransitions transitions,
    RunSecrets secrets,
    IOptions<CallbackOptions> callbacks,
    ILogger<BenchmarkJob> logger)
{
    // A benchmark is never silently repeated: a failure ends the run, it does not re-queue it.
    [AutomaticRetry(Attempts = 0)]
    [Queue(RunQueue.QueueName)]
    public async Task ExecuteAsync(Guid runId, CancellationToken cancellationToken)
    {
        Run? run;
        Core.Nodes.Node? node;
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            run = await db.Runs.AsNoTracking().FirstOrDefaultAsync(r => r.Id == runId, cancellationToken);
            if (run is null || run.State != RunState.Running || run.RemotePid is not null)
            {
                logger.LogInformation("Run {RunId} is {State}; nothing to start", runId, run?.State.ToString() ?? "gone");
                return;
            }

            node = await db.Nodes.AsNoTracking().FirstOrDefaultAsync(n => n.Id == run.NodeId, cancellationToken);
        }

        if (node is null)
        {
            await transitions.ApplyAsync(runId, RunTrigger.DispatchFailed, new RunChange("The node was deleted before the run started."), cancellationToken);
            return;
        }

        int pid;
        try
        {
            var parameters = RunParameters.For(run, callbacks.Value.BaseUrl, await secrets.ForAsync(run, cancellationToken));
            pid = await nodes.StartRunAsync(node, parameters, cancellationToken);
        }
#pragma warning disable CA1031 // any failure to start, expected or not, ends the run at once with its reason
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
#pragma warning restore CA1031
        {
            if (ex is RemoteNodeException or Headscale.HeadscaleUnavailableException)
            {
                logger.LogWarning("Run {RunId} failed to start on {Node}: {Reason}", runId, node.Name, ex.Message);
            }
            else
            {
                logger.LogError(ex, "Run {RunId} failed to start on {Node}", runId, node.Name);
            }

            await transitions.ApplyAsync(runId, RunTrigger.DispatchFailed, new RunChange($"Could not start the run on {node.Name}: {ex.Message}"), cancellationToken);
            return;
        }

        var recorded = await transitions.ApplyAsync(runId, RunTrigger.PidRecorded, new RunChange(Pid: pid), cancellationToken);
        if (!recorded.Applied)
        {
            logger.LogWarning("Run {RunId} started on {Node} as {Pid} but had already ended: {Reason}", runId, node.Name, pid, recorded.Refusal);
        }
    }
}
