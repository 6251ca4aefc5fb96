using Microsoft.EntityFrameworkCore;
using VPNLens.Core.Runs;
using VPNLens.Core.Schedules;
using VPNLens.Web.Persistence;
using VPNLens.Web.Runs;

namespace VPNLens.Web.Schedules;

/// <summary>
/// Queues the runs schedules are due for, through the same <see cref="RunQueue"/> as any other run.
/// Each pass handles at most one occurrence per schedule (missed occurrences give one catch-up run), and a
/// schedule whose previous run is still queued or running skips the occurrence instead of stacking another.
/// </summary>
public sealed class ScheduleDispatcher(
    IDbContextFactory<AppDbContext> dbFactory,
    RunQueue queue,
    TimeProvider time,
    ILogger<ScheduleDispatcher> logger)
{
    public async Task DispatchDueAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var schedules = await db.Schedules.AsNoTracking().Where(s => !s.Paused).ToListAsync(cancellationToken);
        foreach (var schedule in schedules)
        {
            var cron = ScheduleClock.TryParse(schedule.Cron, out _);
            var zone = ScheduleClock.FindZone(schedule.TimeZone);
            if (cron is null || zone is null)
            {
                continue;
            }

            if (ScheduleClock.Due(cron, schedule.LastOccurrence ?? schedule.CreatedAt, now, zone) is not { } occurrence)
            {
                continue;
            }

            if (!await ClaimAsync(db, schedule, occurrence, cancellationToken))
            {
                continue;
            }

            if (await PreviousRunActiveAsync(db, schedule.Id, cancellationToken))
            {
                logger.LogInformation("Schedule {ScheduleId} skips {Occurrence}: its previous run has not ended", schedule.Id, occurrence);
                continue;
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
    }

    /// <summary>
    /// Moves the schedule's last occurrence on in one conditional update, so of the passes that found the same
    /// occurrence due (one per app instance), exactly one goes on to queue its run.
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
