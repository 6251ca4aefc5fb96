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
        var (settings, settingErrors) = request.SettingsOver(options.Value.Settings);
        foreach (var (field, messages) in settingErrors)
        {
            errors[field] = messages;
        }

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
            Settings = settings,
            QueuedAt = time.GetUtcNow(),
            Timeout = Timeout(settings, protocols.Count),
            CallbackSecret = WebhookSecret.Generate(),
        };
        db.Runs.Add(run);
        await db.SaveChangesAsync(cancellationToken);

        jobs.Create<BenchmarkJob>(job => job.ExecuteAsync(run.Id, CancellationToken.None), new EnqueuedState(QueueName));
        var position = await PositionAsync(db, run, cancellationToken);
        await events.PublishAsync(new RunStateChanged(run.Id, RunState.Queued, null));
        return new QueueOutcome(new QueuedRun(run, position), errors);
    }

    /// <summary>What a run of these settings should take, for the form to show before it is queued.</summary>
    public RunDurationEstimate Estimate(RunSettingsRequest? settings, int protocolCount) =>
        RunDurationEstimate.For(settings?.ApplyTo(options.Value.Settings) ?? options.Value.Settings, protocolCount);

    /// <summary>The configured deadline; for a run with settings of its own, stretched to half again its longest estimate where that is later.</summary>
    private TimeSpan Timeout(RunSettings settings, int protocolCount)
    {
        var configured = RunDeadline.For(options.Value.Deadline, options.Value.DeadlinePerExtraProtocol, protocolCount);
        if (settings == options.Value.Settings)
        {
            return configured;
        }

        var longest = RunDurationEstimate.For(settings, protocolCount).Longest * 1.5;
        return longest > configured ? longest : configured;
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
