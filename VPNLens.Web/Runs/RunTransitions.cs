using Microsoft.EntityFrameworkCore;
using VPNLens.Core.Runs;
using VPNLens.Web.Persistence;

namespace VPNLens.Web.Runs;

/// <summary>
/// Moves runs between states with conditional updates, so two actors racing (the deadline monitor
/// and a late callback, a cancel and a finish) can never both win.
/// </summary>
public sealed class RunTransitions(
    IDbContextFactory<AppDbContext> dbFactory,
    RunEvents events,
    IRunFinishedNotifier notifier,
    TimeProvider time)
{
    public async Task<bool> TryStartAsync(Guid runId, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var run = await db.Runs.AsNoTracking().FirstOrDefaultAsync(r => r.Id == runId, cancellationToken);
        if (run is null)
        {
            return false;
        }

        var deadline = now + run.Timeout;
        var changed = await db.Runs
            .Where(r => r.Id == runId && r.State == RunState.Queued)
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.State, RunState.Running).SetProperty(r => r.StartedAt, now).SetProperty(r => r.DeadlineAt, deadline), cancellationToken);
        if (changed == 1)
        {
            await events.PublishAsync(new RunStateChanged(runId, RunState.Running, null));
        }

        return changed == 1;
    }

    public async Task RecordRemotePidAsync(Guid runId, int pid, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await db.Runs.Where(r => r.Id == runId).ExecuteUpdateAsync(s => s.SetProperty(r => r.RemotePid, pid), cancellationToken);
    }

    /// <summary>Ends a run that is still in one of <paramref name="from"/>; false when something else ended it first.</summary>
    public async Task<bool> TryEndAsync(Guid runId, RunState to, string? reason, CancellationToken cancellationToken, params RunState[] from)
    {
        if (!to.IsTerminal())
        {
            throw new ArgumentException($"{to} does not end a run.", nameof(to));
        }

        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var changed = await EndAsync(db, runId, to, reason, from, cancellationToken);
        if (changed)
        {
            await AnnounceEndAsync(runId, to, reason);
        }

        return changed;
    }

    /// <summary>The conditional update alone, for callers that end a run inside their own transaction.</summary>
    internal async Task<bool> EndAsync(AppDbContext db, Guid runId, RunState to, string? reason, RunState[] from, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var stopsRemote = to is RunState.TimedOut or RunState.Cancelled;
        var changed = await db.Runs
            .Where(r => r.Id == runId && from.Contains(r.State))
            .ExecuteUpdateAsync(
                s => s.SetProperty(r => r.State, to)
                    .SetProperty(r => r.FinishedAt, now)
                    .SetProperty(r => r.FailureReason, reason)
                    .SetProperty(r => r.RemoteStopPending, r => r.State == RunState.Running && stopsRemote),
                cancellationToken);
        return changed == 1;
    }

    internal async Task AnnounceEndAsync(Guid runId, RunState to, string? reason)
    {
        await events.PublishAsync(new RunStateChanged(runId, to, reason));
        if (to != RunState.Cancelled)
        {
            notifier.RunFinished(runId);
        }
    }
}

/// <summary>Told once when a run ends (succeeded, failed, timed out), to mail its requester.</summary>
public interface IRunFinishedNotifier
{
    void RunFinished(Guid runId);
}
