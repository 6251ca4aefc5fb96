using System.Threading.Channels;
using Hangfire;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using VPNLens.Core.Runs;
using VPNLens.Web.Nodes;
using VPNLens.Web.Persistence;

namespace VPNLens.Web.Runs;

/// <summary>
/// Starts runs that the dispatcher has moved to Running: for each, connects to its node, starts run.sh, records its
/// pid and returns. The node measures on its own; callbacks, the deadline or a cancel end the run.
/// </summary>
public sealed class BenchmarkJob(
    IDbContextFactory<AppDbContext> dbFactory,
    IRemoteNodeClient nodes,
    RunTransitions transitions,
    RunSecrets secrets,
    IOptions<CallbackOptions> callbacks,
    IOptions<RunOptions> runOptions,
    TimeProvider time,
    ILogger<BenchmarkJob> logger)
{
    /// <summary>
    /// Starts a dispatch chunk's runs, up to <see cref="RunOptions.StartParallelism"/> at once, in process
    /// (<see cref="InProcessRunStarts"/>) or, once the instance is stopping, as a Hangfire job. The runs share no node,
    /// so their order does not matter; one run's failure ends that run and does not keep the others from starting.
    /// No start waits for a pid to be stored: one writer stores every pid that has arrived since its last commit.
    /// </summary>
    [AutomaticRetry(Attempts = 0)]
    [Queue(RunQueue.QueueName)]
    public async Task StartAllAsync(Guid[] runIds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(runIds);
        var toStart = await ToStartAsync(runIds, cancellationToken);
        var began = time.GetTimestamp();
        var waited = toStart.Count == 0 ? TimeSpan.Zero : time.GetUtcNow() - toStart.Min(s => s.Run.StartedAt ?? time.GetUtcNow());
        var pids = Channel.CreateUnbounded<(Guid RunId, RunChange? Change)>(new UnboundedChannelOptions { SingleReader = true });
        var storing = StorePidsAsync(pids.Reader, cancellationToken);
        var failures = new System.Collections.Concurrent.ConcurrentQueue<Exception>();
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = runOptions.Value.StartParallelism, CancellationToken = cancellationToken };
        try
        {
            await Parallel.ForEachAsync(toStart, parallel, async (start, ct) =>
            {
                var (run, node) = start;
                try
                {
                    if (await StartAsync(run, node, ct) is { } pid)
                    {
                        pids.Writer.TryWrite((run.Id, new RunChange(Pid: pid)));
                    }
                }
#pragma warning disable CA1031 // recorded and rethrown once every other run of the chunk has had its start
                catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
#pragma warning restore CA1031
                {
                    logger.LogError(ex, "Starting run {RunId} failed", run.Id);
                    failures.Enqueue(ex);
                }
            });
        }
        finally
        {
            pids.Writer.Complete();
            await storing;
        }

        logger.LogDebug(
            "Benchmark job: {Count} runs picked up {Waited} ms after the first one's stored start, started in {Starting} ms",
            toStart.Count, (long)waited.TotalMilliseconds, (long)time.GetElapsedTime(began).TotalMilliseconds);

        if (!failures.IsEmpty)
        {
            throw new AggregateException($"{failures.Count} of {runIds.Length} runs could not be started", failures);
        }
    }

    /// <summary>Starts one run: the job of runs dispatched before runs were started a chunk at a time.</summary>
    // A benchmark is never silently repeated: a failure ends the run, it does not re-queue it.
    [AutomaticRetry(Attempts = 0)]
    [Queue(RunQueue.QueueName)]
    public Task ExecuteAsync(Guid runId, CancellationToken cancellationToken) => StartAllAsync([runId], cancellationToken);

    /// <summary>
    /// The runs still to start, with their nodes (none when deleted), in two reads for the whole chunk: a run that has
    /// ended meanwhile, or already has its pid (a job run twice), is left alone.
    /// </summary>
    private async Task<List<(Run Run, Core.Nodes.Node? Node)>> ToStartAsync(Guid[] runIds, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var runs = await db.Runs.AsNoTracking().Where(r => runIds.Contains(r.Id)).ToListAsync(cancellationToken);
        foreach (var runId in runIds.Except(runs.Where(Startable).Select(r => r.Id)))
        {
            logger.LogInformation("Run {RunId} is {State}; nothing to start", runId, runs.FirstOrDefault(r => r.Id == runId)?.State.ToString() ?? "gone");
        }

        var toStart = runs.Where(Startable).ToList();
        var nodeIds = toStart.Select(r => r.NodeId).Distinct().ToList();
        var nodesById = await db.Nodes.AsNoTracking().Where(n => nodeIds.Contains(n.Id)).ToDictionaryAsync(n => n.Id, cancellationToken);
        return [.. toStart.Select(r => (r, nodesById.GetValueOrDefault(r.NodeId)))];

        static bool Startable(Run run) => run.State == RunState.Running && run.RemotePid is null;
    }

    /// <summary>Stores the pids as they arrive, all those waiting in one commit, until the chunk's starts are done.</summary>
    private async Task StorePidsAsync(ChannelReader<(Guid RunId, RunChange? Change)> pids, CancellationToken cancellationToken)
    {
        var waiting = new List<(Guid RunId, RunChange? Change)>();
        while (await pids.WaitToReadAsync(cancellationToken))
        {
            waiting.Clear();
            while (pids.TryRead(out var pid))
            {
                waiting.Add(pid);
            }

            var recorded = await transitions.ApplyAllAsync(RunTrigger.PidRecorded, waiting, cancellationToken);
            foreach (var ((runId, change), (_, transition)) in waiting.Zip(recorded))
            {
                if (!transition.Applied)
                {
                    logger.LogWarning("Run {RunId} started as {Pid} but had already ended: {Reason}", runId, change?.Pid, transition.Refusal);
                }
            }
        }
    }

    /// <summary>Starts run.sh for one run and answers its pid; a run that cannot start is ended here, with its reason.</summary>
    private async Task<int?> StartAsync(Run run, Core.Nodes.Node? node, CancellationToken cancellationToken)
    {
        var runId = run.Id;
        if (node is null)
        {
            await transitions.ApplyAsync(runId, RunTrigger.DispatchFailed, new RunChange("The node was deleted before the run started."), cancellationToken);
            return null;
        }

        try
        {
            var parameters = RunParameters.For(run, callbacks.Value.BaseUrl, await secrets.ForAsync(run, cancellationToken));
            return await nodes.StartRunAsync(node, parameters, cancellationToken);
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
            return null;
        }
    }
}
