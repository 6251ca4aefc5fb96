using Microsoft.EntityFrameworkCore;
using VPNLens.Core.Runs;
using VPNLens.Core.Schedules;
using VPNLens.Web.Persistence;
using VPNLens.Web.Runs;

namespace VPNLens.Web.Schedules;

/// <summary>
/// Queues the run a schedule is due for, through the same <see cref="RunQueue"/> as any other run, when its recurring
/// job fires (<see cref="ScheduleJob"/>). Each call handles at most one occurrence (missed occurrences give one
/// catch-up run), an occurrence is claimed once however often and wherever the job fires for it, and a schedule whose
/// previous run is still queued or running skips the occurrence instead of stacking another.
/// </summary>
public sealed class ScheduleDispatcher(
    IDbContextFactory<AppDbContext> dbFactory,
    RunQueue queue,
    TimeProvider time,
    ILogger<ScheduleDispatcher> logger)
{
    /// <param name="firedAt">
    /// The time Hangfire fired the job for, if it says: its clock (another instance's, or the database's) may run a
    /// little ahead of this one, and the occurrence it fired for must not wait for the next one.
    /// </param>
    public async Task DispatchAsync(Guid scheduleId, DateTimeOffset? firedAt, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (firedAt > now)
        {
            now = firedAt.Value;
        }

        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var schedule = await db.Schedules.AsNoTracking().FirstOrDefaultAsync(s => s.Id == scheduleId && !s.Paused, cancellationToken);
        if (schedule is null)
        {
            // deleted or paused after the job fired
            return;
        }

        var cron = ScheduleClock.TryParse(schedule.Cron, out _);
        var zone = ScheduleClock.FindZone(schedule.TimeZone);
        if (cron is null || zone is null
            || ScheduleClock.Due(cron, schedule.LastOccurrence ?? schedule.CreatedAt, now, zone) is not { } occurrence)
        {
            return;
        }

        if (!await ClaimAsync(db, schedule, occurrence, cancellationToken))
        {
            return;
        }

        if (await PreviousRunActiveAsync(db, schedule.Id, cancellationToken))
        {
            logger.LogInformation("Schedule {ScheduleId} skips {Occurrence}: its previous run has not ended", schedule.Id, occurrence);
            return;
        }

        var outcome = await queue.EnqueueAsync(new RunRequest(schedule.NodeId, schedule.Protocols, schedule.Email, schedule.Settings), cancellationToken);
        if (outcome.Queued is null)
        {
            logger.LogWarning("Schedule {ScheduleId} could not queue a run: {Errors}", schedule.Id, string.Join("; ", outcome.Errors.SelectMany(e => e.Value)));
        }
        else
        {
            db.ScheduledRuns.Add(new ScheduledRun { ScheduleId = schedule.Id, RunId = outcome.Queued.Run.Id, Occurrence = occurrence });
        }

        await db.SaveChangesAsync(cancellationToken);
    }

    /// <summary>
    /// Moves the schedule's last occurrence on in one conditional update, so of the passes that found the same
    /// occurrence due (the job fired twice, or on two instances), exactly one goes on to queue its run.
    /// </summary>
    private static async Task<bool> ClaimAsync(AppDbContext db, Schedule schedule, DateTimeOffset occurrence, CancellationToken cancellationToken)
    {
        var seen = schedule.LastOccurrence;
        var claimed = await db.Schedules
            .Where(s => s.Id == schedule.Id && s.LastOccurrence == seen)
            .ExecuteUpdateAsync(s => s.SetProperty(x => x.LastOccurrence, occurrence), cancellationToken);
        return claimed == 1;
    }

    private static Task<bool> PreviousRunActiveAsync(AppDbContext db, Guid scheduleId, CancellationToken cancellationToken) =>
        db.ScheduledRuns
            .Where(s => s.ScheduleId == scheduleId)
            .Join(db.Runs, s => s.RunId, r => r.Id, (s, r) => r.State)
            .AnyAsync(state => state == RunState.Queued || state == RunState.Running, cancellationToken);
}
