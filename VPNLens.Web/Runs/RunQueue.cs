using Hangfire;
using Hangfire.States;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using VPNLens.Core.Runs;
using VPNLens.Core.Webhooks;
using VPNLens.Web.Persistence;

namespace VPNLens.Web.Runs;

public sealed record QueuedRun(Run Run, int Position);

public sealed record QueueOutcome(QueuedRun? Queued, Dictionary<string, string[]> Errors);

/// <summary>Accepts run requests, queues them for the benchmark worker, and cancels them.</summary>
public sealed class RunQueue(
    IDbContextFactory<AppDbContext> dbFactory,
    IBackgroundJobClient jobs,
    RunTransitions transitions,
    RunEvents events,
    IOptions<RunOptions> options,
    TimeProvider time)
{
    public const string QueueName = "benchmarks";

    public async Task<QueueOutcome> EnqueueAsync(RunRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var errors = request.Validate();
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        if (!errors.ContainsKey("nodeId") && !await db.Nodes.AnyAsync(n => n.Id == request.NodeId, cancellationToken))
        {
            errors["nodeId"] = [$"There is no node {request.NodeId}."];
        }

        if (errors.Count > 0)
        {
            return new QueueOutcome(null, errors);
        }

        var protocols = Protocols.ExecutionOrder(request.Protocols!);
        var run = new Run
        {
            PublicToken = PublicToken.Generate(),
            RequesterEmail = request.Email!.Trim(),
            NodeId = request.NodeId!.Value,
            Protocols = [.. protocols],
            Settings = options.Value.Settings,
            QueuedAt = time.GetUtcNow(),
            Timeout = RunDeadline.For(options.Value.Deadline, options.Value.DeadlinePerExtraProtocol, protocols.Count),
            CallbackSecret = WebhookSecret.Generate(),
        };
        db.Runs.Add(run);
        await db.SaveChangesAsync(cancellationToken);

        jobs.Create<BenchmarkJob>(job => job.ExecuteAsync(run.Id, CancellationToken.None), new EnqueuedState(QueueName));
        var position = await PositionAsync(db, run, cancellationToken);
        await events.PublishAsync(new RunStateChanged(run.Id, RunState.Queued, null));
        return new QueueOutcome(new QueuedRun(run, position), errors);
    }

    /// <summary>Cancels a queued or running run; false when it had already ended.</summary>
    public Task<bool> CancelAsync(Guid runId, CancellationToken cancellationToken) =>
        transitions.TryEndAsync(runId, RunState.Cancelled, "Cancelled by a user.", cancellationToken, RunState.Queued, RunState.Running);

    /// <summary>1 for the next run to start, counting a running run as position 0.</summary>
    public static async Task<int> PositionAsync(AppDbContext db, Run run, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(run);
        if (run.State != RunState.Queued)
        {
            return 0;
        }

        var ahead = await db.Runs.CountAsync(r => r.State == RunState.Queued && r.QueuedAt < run.QueuedAt, cancellationToken);
        return ahead + 1;
    }
}
