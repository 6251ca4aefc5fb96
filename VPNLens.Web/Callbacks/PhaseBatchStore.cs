using Microsoft.EntityFrameworkCore;
using VPNLens.Core.Phases;
using VPNLens.Core.Webhooks;
using VPNLens.Web.Persistence;

namespace VPNLens.Web.Callbacks;

/// <summary>One node's signed phase event, waiting to be stored with others.</summary>
public sealed record PhaseSubmission(Guid RunId, SignedMessage Message);

/// <summary>What became of one submission of a batch; <see cref="Phase"/> is the stored row when it was applied.</summary>
public sealed record PhaseOutcome(CallbackResult Result, PhaseEvent? Phase);

/// <summary>
/// Stores a batch of phase events in one transaction: one read of their runs (with their states), one of the
/// webhook-ids already recorded, one insert of every delivery and phase row, one commit. Each event gets the
/// answer <see cref="CallbackIntake"/> would have given it alone: refused before any write (unknown run, bad
/// signature, malformed), a duplicate (its webhook-id recorded before, or earlier in the same batch), refused because
/// its run is not running, or applied. The batch is stored whole or not at all.
/// </summary>
public sealed class PhaseBatchStore(IDbContextFactory<AppDbContext> dbFactory, CallbackIntake intake, TimeProvider time)
{
    /// <summary>
    /// The outcome of each submission, in order; null when another writer recorded one of the webhook-ids while this
    /// batch was being written (the unique key refused the batch, which stored nothing): the caller then applies
    /// the submissions one by one.
    /// </summary>
    public async Task<PhaseOutcome[]?> TryWriteAsync(IReadOnlyList<PhaseSubmission> batch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var outcomes = new PhaseOutcome?[batch.Count];
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);

        // As for one event alone: on SQLite BEGIN IMMEDIATE takes the write lock up front, so the states read with the
        // runs are those the batch is stored against. (Npgsql sends the BEGIN with the first query: no round trip.)
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var runIds = batch.Select(s => s.RunId).Distinct().ToList();
        var runs = await db.Runs.AsNoTracking().Where(r => runIds.Contains(r.Id)).Select(CallbackRun.Columns).ToDictionaryAsync(r => r.Id, cancellationToken);
        var prepared = new PhaseEvent?[batch.Count];
        for (var i = 0; i < batch.Count; i++)
        {
            var (refusal, phase) = intake.PreparePhase(runs.GetValueOrDefault(batch[i].RunId), batch[i].RunId, batch[i].Message);
            prepared[i] = phase;
            outcomes[i] = refusal is null ? null : new PhaseOutcome(refusal, null);
        }

        var candidates = Enumerable.Range(0, batch.Count).Where(i => prepared[i] is not null).ToList();
        if (candidates.Count > 0)
        {
            var messageIds = candidates.Select(i => batch[i].Message.Id!).Distinct(StringComparer.Ordinal).ToList();
            var recorded = (await db.WebhookDeliveries.Where(d => messageIds.Contains(d.MessageId)).Select(d => d.MessageId).ToListAsync(cancellationToken))
                .ToHashSet(StringComparer.Ordinal);
            var applied = new List<int>();
            foreach (var i in candidates)
            {
                var messageId = batch[i].Message.Id!;
                if (!recorded.Add(messageId))
                {
                    outcomes[i] = new PhaseOutcome(CallbackIntake.DuplicateResult, null);
                }
                else if (!CallbackIntake.TakesPhases(runs[batch[i].RunId].State))
                {
                    recorded.Remove(messageId);
                    outcomes[i] = new PhaseOutcome(CallbackIntake.NotRunningResult, null);
                }
                else
                {
                    db.WebhookDeliveries.Add(new WebhookDelivery { MessageId = messageId, RunId = batch[i].RunId, Kind = CallbackIntake.PhaseKind, ReceivedAt = time.GetUtcNow() });
                    db.PhaseEvents.Add(prepared[i]!);
                    applied.Add(i);
                }
            }

            if (applied.Count > 0)
            {
                try
                {
                    await db.SaveChangesAsync(cancellationToken);
                    await transaction.CommitAsync(cancellationToken);
                }
                catch (DbUpdateException)
                {
                    await transaction.RollbackAsync(cancellationToken);
                    return null;
                }
            }

            foreach (var i in applied)
            {
                outcomes[i] = new PhaseOutcome(CallbackIntake.AppliedResult, prepared[i]);
            }
        }

        return [.. outcomes.Select(o => o!)];
    }
}
