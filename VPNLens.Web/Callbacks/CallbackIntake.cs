using Microsoft.EntityFrameworkCore;
using VPNLens.Core.Phases;
using VPNLens.Core.Results;
using VPNLens.Core.Runs;
using VPNLens.Core.Webhooks;
using VPNLens.Web.Persistence;
using VPNLens.Web.Runs;

namespace VPNLens.Web.Callbacks;

public enum CallbackOutcome
{
    Applied,
    Duplicate,
    UnknownRun,
    Unauthorized,
    Malformed,
    RunNotRunning,

    /// <summary>Not stored: no turn was left to store it in (<see cref="ResultsIntakeLimit"/>); the node posts it again.</summary>
    Busy,
}

public sealed record CallbackResult(CallbackOutcome Outcome, string Detail);

public sealed record SignedMessage(string? Id, string? Timestamp, string? Signature, byte[] Body);

/// <summary>
/// Verifies, parses and applies the node's signed callbacks. Each applied message is recorded by its
/// webhook-id in the same transaction as its effect, so a redelivery is applied exactly once.
/// </summary>
public sealed class CallbackIntake(
    IDbContextFactory<AppDbContext> dbFactory,
    RunTransitions transitions,
    RunEvents events,
    TimeProvider time,
    ILogger<CallbackIntake> logger)
{
    /// <summary>The kind a phase event's delivery is recorded with.</summary>
    internal const string PhaseKind = "phase";

    internal static readonly CallbackResult AppliedResult = new(CallbackOutcome.Applied, "Applied.");
    internal static readonly CallbackResult DuplicateResult = new(CallbackOutcome.Duplicate, "Already applied.");
    internal static readonly CallbackResult NotRunningResult = new(CallbackOutcome.RunNotRunning, "The run is not running; nothing was changed.");

    public async Task<CallbackResult> AcceptPhaseAsync(Guid runId, SignedMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var run = await ReadRunAsync(db, runId, cancellationToken);
        var (refusal, phase) = PreparePhase(run, runId, message);
        if (refusal is not null)
        {
            return refusal;
        }

        var outcome = await ApplyOnceAsync(db, runId, message.Id!, PhaseKind, requireRunning: true, async () =>
        {
            db.PhaseEvents.Add(phase!);
            await db.SaveChangesAsync(cancellationToken);
        }, cancellationToken);

        if (outcome.Outcome == CallbackOutcome.Applied)
        {
            await events.PublishAsync(new PhaseRecorded(runId, phase!));
        }

        return outcome;
    }

    /// <summary>
    /// A phase event's checks before any write: the run exists, the signature is its secret's, the body parses for
    /// its protocols. Either the refusal or the row to store (not yet stored).
    /// </summary>
    internal (CallbackResult? Refusal, PhaseEvent? Phase) PreparePhase(CallbackRun? run, Guid runId, SignedMessage message)
    {
        var refusal = Authenticate(run, message);
        if (refusal is not null)
        {
            return (refusal, null);
        }

        var parsed = PhaseReport.Parse(message.Body, run!.Protocols);
        if (!parsed.IsValid)
        {
            return (new CallbackResult(CallbackOutcome.Malformed, parsed.Error!), null);
        }

        var report = parsed.Value!;
        return (null, new PhaseEvent
        {
            RunId = runId,
            Protocol = report.Protocol,
            Phase = report.Phase,
            Status = report.ParsedStatus,
            StartedAt = report.StartedAt,
            EndedAt = report.EndedAt,
            Detail = report.Detail,
            ReceivedAt = time.GetUtcNow(),
        });
    }

    /// <summary>Whether a run in this state takes a phase event (the run state machine's answer).</summary>
    internal static bool TakesPhases(RunState state) =>
        RunLifecycle.Decide(state, stopPending: false, RunTrigger.PhaseArrived).IsAllowed;

    public async Task<CallbackResult> AcceptResultsAsync(Guid runId, SignedMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var run = await ReadRunAsync(db, runId, cancellationToken);
        var refusal = Authenticate(run, message);
        return refusal ?? await ApplyResultsAsync(db, run!, message.Id!, message.Body, cancellationToken);
    }

    /// <summary>
    /// Applies results read from the node's results.json over SSH (the pinned host key authenticates them, as the
    /// signature does a posted body): the same parsing, checks and single application as a posted body. The message id
    /// is the run's own, so a fetch and a late post of the same results end the run once.
    /// </summary>
    public async Task<CallbackResult> AcceptFetchedResultsAsync(Guid runId, byte[] body, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(body);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var run = await ReadRunAsync(db, runId, cancellationToken);
        return run is null
            ? new CallbackResult(CallbackOutcome.UnknownRun, "There is no such run.")
            : await ApplyResultsAsync(db, run, $"fetched_{runId}_results", body, cancellationToken);
    }

    private async Task<CallbackResult> ApplyResultsAsync(AppDbContext db, CallbackRun run, string messageId, byte[] body, CancellationToken cancellationToken)
    {
        var runId = run.Id;
        var parsed = ResultsParser.Parse(body);
        if (!parsed.IsValid)
        {
            return new CallbackResult(CallbackOutcome.Malformed, parsed.Error!);
        }

        var report = parsed.Value!;
        var foreign = report.Protocols.Select(p => p.Protocol).Where(p => !run.Protocols.Contains(p)).ToList();
        if (foreign.Count > 0)
        {
            return new CallbackResult(CallbackOutcome.Malformed, $"The results name protocols this run does not measure: {string.Join(", ", foreign)}.");
        }

        var (trigger, reason) = ResultsOutcome.Of(report);
        var rows = ResultsOutcome.Rows(runId, report).ToList();
        RunTransition? transition = null;
        var outcome = await ApplyOnceAsync(db, runId, messageId, "results", requireRunning: false, async () =>
        {
            transition = await transitions.MoveAsync(db, runId, trigger, new RunChange(reason), cancellationToken);
            if (!transition.Applied)
            {
                throw new RunNotRunningException();
            }

            await db.Runs.Where(r => r.Id == runId).ExecuteUpdateAsync(s => s.SetProperty(r => r.ResultsJson, System.Text.Encoding.UTF8.GetString(body)), cancellationToken);

            // The move has ended the run (or found it ended): each row takes the run's node and end, which never change again.
            var finishedAt = await db.Runs.Where(r => r.Id == runId).Select(r => r.FinishedAt).SingleAsync(cancellationToken)
                ?? throw new InvalidOperationException($"Run {runId} has results but no end time.");
            rows.ForEach(r => (r.NodeId, r.FinishedAt) = (run.NodeId, finishedAt));
            db.ProtocolResults.AddRange(rows);
            await db.SaveChangesAsync(cancellationToken);
        }, cancellationToken);

        if (outcome.Outcome == CallbackOutcome.Applied && transition is not null)
        {
            await transitions.AfterAsync(runId, transition);
        }

        return outcome;
    }

    private CallbackResult? Authenticate(CallbackRun? run, SignedMessage message)
    {
        if (run is null)
        {
            return new CallbackResult(CallbackOutcome.UnknownRun, "There is no such run.");
        }

        if (run.CallbackSecret.Length == 0)
        {
            return new CallbackResult(CallbackOutcome.RunNotRunning, "The run ended and its callback secret is erased; nothing was changed.");
        }

        var verification = WebhookSignature.Verify(
            WebhookSecret.Parse(run.CallbackSecret), message.Id, message.Timestamp, message.Signature, message.Body, time.GetUtcNow());
        return verification switch
        {
            WebhookVerification.Valid => null,
            WebhookVerification.MissingHeaders => new CallbackResult(CallbackOutcome.Unauthorized, "webhook-id, webhook-timestamp and webhook-signature are required."),
            WebhookVerification.MalformedTimestamp => new CallbackResult(CallbackOutcome.Unauthorized, "webhook-timestamp must be Unix seconds."),
            WebhookVerification.TimestampOutOfTolerance => new CallbackResult(CallbackOutcome.Unauthorized, "webhook-timestamp is more than 5 minutes from the server's clock."),
            _ => new CallbackResult(CallbackOutcome.Unauthorized, "webhook-signature does not match."),
        };
    }

    private async Task<CallbackResult> ApplyOnceAsync(
        AppDbContext db, Guid runId, string messageId, string kind, bool requireRunning, Func<Task> apply, CancellationToken cancellationToken)
    {
        // On SQLite, BEGIN IMMEDIATE (Microsoft.Data.Sqlite's default) takes the write lock up front: no lock upgrade, no "database is locked".
        // On PostgreSQL a concurrent redelivery waits on the webhook-id's key and then fails as a unique violation.
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        if (await db.WebhookDeliveries.AnyAsync(d => d.MessageId == messageId, cancellationToken))
        {
            return DuplicateResult;
        }

        if (requireRunning && !TakesPhases(await db.Runs.Where(r => r.Id == runId).Select(r => r.State).SingleAsync(cancellationToken)))
        {
            return NotRunningResult;
        }

        try
        {
            db.WebhookDeliveries.Add(new WebhookDelivery { MessageId = messageId, RunId = runId, Kind = kind, ReceivedAt = time.GetUtcNow() });
            await db.SaveChangesAsync(cancellationToken);
            await apply();
            await transaction.CommitAsync(cancellationToken);
            return AppliedResult;
        }
        catch (RunNotRunningException)
        {
            await transaction.RollbackAsync(cancellationToken);
            return new CallbackResult(CallbackOutcome.RunNotRunning, "The run already ended; nothing was changed.");
        }
        catch (DbUpdateException)
        {
            await transaction.RollbackAsync(cancellationToken);
            if (!await IsDeliveryRecordedAsync(messageId, cancellationToken))
            {
                throw;
            }

            logger.LogInformation("Callback {MessageId} for run {RunId} raced a redelivery; applied once", messageId, runId);
            return DuplicateResult;
        }
    }

    /// <summary>The run's columns a callback needs, or null when there is no such run.</summary>
    internal static Task<CallbackRun?> ReadRunAsync(AppDbContext db, Guid runId, CancellationToken cancellationToken) =>
        db.Runs.AsNoTracking().Where(r => r.Id == runId).Select(CallbackRun.Columns).FirstOrDefaultAsync(cancellationToken);

    /// <summary>Whether a concurrent redelivery recorded this message first (the unique key refused ours), on any provider.</summary>
    private async Task<bool> IsDeliveryRecordedAsync(string messageId, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.WebhookDeliveries.AnyAsync(d => d.MessageId == messageId, cancellationToken);
    }

    private sealed class RunNotRunningException : Exception;
}
