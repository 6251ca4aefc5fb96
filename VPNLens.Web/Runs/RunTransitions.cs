using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using VPNLens.Core.Runs;
using VPNLens.Web.Persistence;

namespace VPNLens.Web.Runs;

/// <summary>What a writer wants stored with a move besides the state (the reason, the node's pid, the start's deadline).</summary>
public sealed record RunChange(string? Reason = null, int? Pid = null, bool AppendReason = false);

/// <summary>The move that was stored, or why none was.</summary>
public sealed record RunTransition(RunMove? Move, string? Refusal, string? Reason)
{
    public bool Applied => Move is not null;

    /// <summary>For a queued run's start: the start time and the run's timeout stored with it, to lease from.</summary>
    internal RunStart? Start { get; init; }
}

/// <summary>When a run started and how long it may take, as stored by its start.</summary>
internal sealed record RunStart(DateTimeOffset At, TimeSpan Timeout);

/// <summary>
/// The only writer of a run's state. Asks <see cref="RunLifecycle"/> whether a trigger may move the run, stores the move
/// with one conditional update (WHERE the state is still the one decided on, so two actors racing can never both win),
/// releases the run's leases in the same transaction when the move says so, then carries out the effects that are
/// the same for every writer: announce, notify, dispatch the next runs. Effects that belong to one caller (start or
/// stop the script, fetch results) are returned in the move for that caller.
/// </summary>
public sealed class RunTransitions(
    IDbContextFactory<AppDbContext> dbFactory,
    RunEvents events,
    IRunFinishedNotifier notifier,
    IRunDispatchRequests dispatch,
    IOptions<RunOptions> options,
    TimeProvider time)
{
    private const int Attempts = 5;

    /// <summary>Applies a trigger in its own transaction and carries out the shared effects.</summary>
    public async Task<RunTransition> ApplyAsync(Guid runId, RunTrigger trigger, RunChange? change, CancellationToken cancellationToken) =>
        (await ApplyAllAsync(trigger, [(runId, change)], cancellationToken))[0].Transition;

    /// <summary>
    /// Applies one trigger to several runs in one transaction, each move decided and guarded by <see cref="MoveAsync"/>,
    /// then carries out each stored move's shared effects. For a batch of like moves (the pids of a chunk's starts), one
    /// commit instead of one a run.
    /// </summary>
    public async Task<List<(Guid RunId, RunTransition Transition)>> ApplyAllAsync(RunTrigger trigger, IReadOnlyList<(Guid RunId, RunChange? Change)> changes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(changes);
        var transitions = new List<(Guid RunId, RunTransition Transition)>(changes.Count);
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            foreach (var (runId, change) in changes)
            {
                transitions.Add((runId, await MoveAsync(db, runId, trigger, change, cancellationToken)));
            }

            await transaction.CommitAsync(cancellationToken);
        }

        foreach (var (runId, transition) in transitions)
        {
            await AfterAsync(runId, transition);
        }

        return transitions;
    }

    /// <summary>
    /// The conditional update (and lease release) alone, inside the caller's transaction; call <see cref="AfterAsync"/>
    /// once it has committed. A start is <see cref="StartAllAsync"/>'s: it stores the deadline the leases are taken for.
    /// </summary>
    internal async Task<RunTransition> MoveAsync(AppDbContext db, Guid runId, RunTrigger trigger, RunChange? change, CancellationToken cancellationToken)
    {
        if (trigger == RunTrigger.Started)
        {
            throw new ArgumentException("Runs start through StartAllAsync, with their leases.", nameof(trigger));
        }

        for (var attempt = 0; attempt < Attempts; attempt++)
        {
            var current = await db.Runs.AsNoTracking().Where(r => r.Id == runId)
                .Select(r => new { r.State, r.RemoteStopPending, r.FailureReason })
                .FirstOrDefaultAsync(cancellationToken);
            if (current is null)
            {
                return new RunTransition(null, "There is no such run.", null);
            }

            var decision = RunLifecycle.Decide(current.State, current.RemoteStopPending, trigger);
            if (!decision.IsAllowed)
            {
                return new RunTransition(null, decision.Refusal!.Reason, null);
            }

            var move = decision.Move!;
            var reason = change?.Reason is { } r && change.AppendReason && current.FailureReason is { } before ? $"{before} {r}" : change?.Reason;
            if (!move.ChangesState && change?.Pid is null)
            {
                return new RunTransition(move, null, reason);
            }

            var now = time.GetUtcNow();
            if (await UpdateAsync(db, runId, move, change, reason, now, cancellationToken) == 1)
            {
                if (move.Asks(RunEffect.ReleaseLeases))
                {
                    await db.RunLeases.Where(l => l.RunId == runId).ExecuteDeleteAsync(cancellationToken);
                }

                return new RunTransition(move, null, reason);
            }

            // Another writer moved the run between our read and our update: decide again on what it left.
        }

        return new RunTransition(null, "The run kept changing under this move; nothing was changed.", null);
    }

    /// <summary>Announces, dispatches and notifies as the stored move asks.</summary>
    internal async Task AfterAsync(Guid runId, RunTransition transition)
    {
        if (transition.Move is not { } move)
        {
            return;
        }

        if (move.Asks(RunEffect.AnnounceState))
        {
            await events.PublishAsync(new RunStateChanged(runId, move.To, transition.Reason));
        }

        // Before the notice: queueing its job is a few writes to the store, and the next run should not wait for them.
        if (move.Asks(RunEffect.DispatchNext))
        {
            dispatch.Request();
        }

        if (move.Asks(RunEffect.NotifyRequester))
        {
            await notifier.RunFinishedAsync(runId);
        }
    }

    /// <summary>
    /// Starts queued runs inside the caller's transaction, as <see cref="MoveAsync"/> would one by one, with the same
    /// decision and guard but one read and one conditional update for all runs of one timeout, not two statements a
    /// run. Returns the runs this update moved, in the order given: when another writer moved some meanwhile, the ones
    /// moved here are read back by the start time stored with them.
    /// </summary>
    internal async Task<List<(Guid RunId, RunTransition Transition)>> StartAllAsync(AppDbContext db, IReadOnlyList<Guid> runIds, CancellationToken cancellationToken)
    {
        var current = await db.Runs.AsNoTracking().Where(r => runIds.Contains(r.Id))
            .Select(r => new { r.Id, r.State, r.RemoteStopPending, r.Timeout })
            .ToListAsync(cancellationToken);
        // Whole milliseconds, as every provider stores them, so the read-back below finds exactly the time stored.
        var now = time.GetUtcNow();
        now = now.AddTicks(-(now.Ticks % TimeSpan.TicksPerMillisecond));
        var started = new Dictionary<Guid, RunTransition>();
        foreach (var group in current.GroupBy(r => (r.State, r.RemoteStopPending, r.Timeout)))
        {
            var decision = RunLifecycle.Decide(group.Key.State, group.Key.RemoteStopPending, RunTrigger.Started);
            if (decision.Move is not { } move || !Starts(move))
            {
                continue;
            }

            var ids = group.Select(r => r.Id).ToList();
            var timeout = group.Key.Timeout;
            var updated = await db.Runs
                .Where(r => ids.Contains(r.Id) && r.State == move.From && r.RemoteStopPending == move.WasStopPending)
                .ExecuteUpdateAsync(
                    u => u.SetProperty(r => r.State, move.To).SetProperty(r => r.RemoteStopPending, move.StopPending)
                        .SetProperty(r => r.StartedAt, now).SetProperty(r => r.DeadlineAt, now + timeout),
                    cancellationToken);
            var moved = updated == ids.Count
                ? ids
                : updated == 0 ? [] : await db.Runs.AsNoTracking().Where(r => ids.Contains(r.Id) && r.State == move.To && r.StartedAt == now).Select(r => r.Id).ToListAsync(cancellationToken);
            foreach (var id in moved)
            {
                started[id] = new RunTransition(move, null, null) { Start = new RunStart(now, timeout) };
            }
        }

        return [.. runIds.Where(started.ContainsKey).Select(id => (id, started[id]))];
    }

    /// <summary>The leases a run takes when it starts: free until the deadline, plus time to stop its script.</summary>
    internal DateTimeOffset LeaseExpiry(DateTimeOffset startedAt, TimeSpan timeout) => startedAt + timeout + options.Value.LeaseGrace;

    private static bool Starts(RunMove move) => move.To == RunState.Running && move.From == RunState.Queued;

    private static Task<int> UpdateAsync(AppDbContext db, Guid runId, RunMove move, RunChange? change, string? reason, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var ends = !move.From.IsTerminal() && move.To.IsTerminal();
        return db.Runs
            .Where(r => r.Id == runId && r.State == move.From && r.RemoteStopPending == move.WasStopPending)
            .ExecuteUpdateAsync(
                s =>
                {
                    s.SetProperty(r => r.State, move.To).SetProperty(r => r.RemoteStopPending, move.StopPending);
                    if (ends)
                    {
                        s.SetProperty(r => r.FinishedAt, now);
                    }

                    if (ends || (reason is not null && move.To.IsTerminal()))
                    {
                        s.SetProperty(r => r.FailureReason, reason);
                    }

                    if (change?.Pid is { } pid)
                    {
                        s.SetProperty(r => r.RemotePid, pid);
                    }
                },
                cancellationToken);
    }
}

/// <summary>Told once when a run ends (succeeded, completed, failed, timed out), to mail its requester.</summary>
public interface IRunFinishedNotifier
{
    Task RunFinishedAsync(Guid runId);
}

/// <summary>Asks for a dispatch round: start every queued run whose node and endpoint are free.</summary>
public interface IRunDispatchRequests
{
    void Request();
}
