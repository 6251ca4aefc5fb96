using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using VPNLens.Core.Nodes;
using VPNLens.Core.Runs;
using VPNLens.Core.Webhooks;
using VPNLens.Web.Nodes;
using VPNLens.Web.Persistence;

namespace VPNLens.Web.Runs;

public sealed record QueuedRun(Run Run, int Position);

public sealed record QueueOutcome(QueuedRun? Queued, Dictionary<string, string[]> Errors);

/// <summary>Accepts run requests, queues them in a strict order for the dispatcher, and cancels them.</summary>
public sealed class RunQueue(
    IDbContextFactory<AppDbContext> dbFactory,
    RunTransitions transitions,
    IRunDispatchRequests dispatch,
    RunEvents events,
    IOptions<RunOptions> options,
    TimeProvider time)
{
    public const string QueueName = "benchmarks";

    private const int SequenceAttempts = 10;

    /// <summary>The PostgreSQL advisory lock that orders inserts into the queue (any constant no other lock uses).</summary>
    private const long QueueLockKey = 0x56504E4C656E7351; // "VPNLensQ"

    /// <summary>The one queue order: queued time, then the queue sequence, then the id (runs queued before sequences existed).</summary>
    public static IQueryable<Run> InQueueOrder(IQueryable<Run> runs) =>
        runs.OrderBy(r => r.QueuedAt).ThenBy(r => r.QueueSequence).ThenBy(r => r.Id);

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
        if (!errors.ContainsKey("nodeId"))
        {
            var node = await db.Nodes.AsNoTracking().FirstOrDefaultAsync(n => n.Id == request.NodeId, cancellationToken);
            if (node is null)
            {
                errors["nodeId"] = [$"There is no node {request.NodeId}."];
            }
            else
            {
                if (!errors.ContainsKey("protocols") && ToolsMissing(node, request.Protocols!) is { Length: > 0 } missing)
                {
                    errors["protocols"] = missing;
                }

                var ipVersionField = RunSettingsValidation.ApiField(nameof(RunSettings.IpVersion));
                if (settings.IpVersion == 6 && node.ProbedIpv6 == false && !errors.ContainsKey(ipVersionField))
                {
                    errors[ipVersionField] = [$"{ipVersionField} is 6 but the node's last probe ({node.ProbedAt:u}) found IPv6 off on it (no /proc/net/if_inet6, or net.ipv6.conf.all.disable_ipv6 set); turn IPv6 on and probe it again, or run over IPv4."];
                }
            }
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
            Timeout = Timeout(settings, protocols.Count),
            CallbackSecret = WebhookSecret.Generate(),
        };
        var position = await InsertInOrderAsync(db, run, cancellationToken);

        dispatch.Request();
        await events.PublishAsync(new RunStateChanged(run.Id, RunState.Queued, null));
        return new QueueOutcome(new QueuedRun(run, position), errors);
    }

    /// <summary>One sentence per protocol the node's last probe found tools missing for; none for a node never probed.</summary>
    private static string[] ToolsMissing(Node node, IEnumerable<string> protocols) =>
    [
        .. protocols.Select(p => (Protocol: p, Missing: NodeReadiness.MissingFor(node, p)))
            .Where(p => p.Missing.Count > 0)
            .Select(p => $"The node's last probe ({node.ProbedAt:u}) did not find {string.Join(", ", p.Missing)} for {Protocols.DisplayName(p.Protocol)}; install it on the node and probe it again."),
    ];

    /// <summary>The configured settings a run's own choices are applied over.</summary>
    public RunSettings DefaultSettings => options.Value.Settings;

    private TimeSpan Timeout(RunSettings settings, int protocolCount) =>
        RunDeadline.For(options.Value.Deadline, options.Value.DeadlinePerExtraProtocol, settings, protocolCount);

    /// <summary>Cancels a queued or running run; false when it had already ended.</summary>
    public async Task<bool> CancelAsync(Guid runId, CancellationToken cancellationToken) =>
        (await transitions.ApplyAsync(runId, RunTrigger.Cancelled, new RunChange("Cancelled by a user."), cancellationToken)).Applied;

    /// <summary>1 for the next run to start, counting a running run as position 0.</summary>
    public static async Task<int> PositionAsync(AppDbContext db, Run run, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(run);
        if (run.State != RunState.Queued)
        {
            return 0;
        }

        var ahead = await db.Runs.CountAsync(
            r => r.State == RunState.Queued && r.Id != run.Id
                && (r.QueuedAt < run.QueuedAt
                    || (r.QueuedAt == run.QueuedAt && r.QueueSequence < run.QueueSequence)),
            cancellationToken);
        return ahead + 1;
    }

    /// <summary>
    /// Takes the next sequence number and the queued time inside one transaction with the insert, and answers the
    /// position before any dispatcher can see the run. On PostgreSQL the transaction first takes the queue's advisory
    /// lock, so instances queueing at once take turns instead of colliding; the unique sequence makes anything that
    /// still collides retry (SQLite already lets one writer in at a time).
    /// </summary>
    private async Task<int> InsertInOrderAsync(AppDbContext db, Run run, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            if (db.Database.IsNpgsql())
            {
                await db.Database.ExecuteSqlRawAsync($"SELECT pg_advisory_xact_lock({QueueLockKey})", cancellationToken);
            }

            run.QueueSequence = (await db.Runs.MaxAsync(r => r.QueueSequence, cancellationToken) ?? 0) + 1;
            run.QueuedAt = time.GetUtcNow();
            db.Runs.Add(run);
            try
            {
                await db.SaveChangesAsync(cancellationToken);
                var position = await PositionAsync(db, run, cancellationToken);
                await transaction.CommitAsync(cancellationToken);
                return position;
            }
            catch (DbUpdateException) when (attempt < SequenceAttempts)
            {
                await transaction.RollbackAsync(cancellationToken);
                db.ChangeTracker.Clear();
            }
        }
    }
}
