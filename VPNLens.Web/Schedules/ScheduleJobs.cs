using Hangfire;
using Microsoft.EntityFrameworkCore;
using VPNLens.Core.Schedules;
using VPNLens.Web.Persistence;

namespace VPNLens.Web.Schedules;

/// <summary>
/// One Hangfire recurring job per active schedule ("schedule:{id}", the schedule's cron read in its time zone), whose
/// job (<see cref="ScheduleJob"/>) has <see cref="ScheduleDispatcher"/> decide what the occurrence comes to. Hangfire
/// says when; the database says what: it is the source of truth, and <see cref="ReconcileAsync"/> brings the job set
/// in line with it.
/// </summary>
public sealed class ScheduleJobs(IRecurringJobManagerV2 recurringJobs, IDbContextFactory<AppDbContext> dbFactory, TimeProvider time, ILogger<ScheduleJobs> logger)
{
    public const string IdPrefix = "schedule:";

    public static string IdOf(Guid scheduleId) => $"{IdPrefix}{scheduleId}";

    /// <summary>Adds or updates the schedule's recurring job; a paused schedule has none.</summary>
    public void Apply(Schedule schedule)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        var zone = ScheduleClock.FindZone(schedule.TimeZone);
        if (schedule.Paused || zone is null || ScheduleClock.TryParse(schedule.Cron, out _) is null)
        {
            Remove(schedule.Id);
            return;
        }

        // Relaxed (Hangfire's default, named here because it matters): occurrences missed while no server ran fire
        // the job once, and that one job is the dispatcher's one catch-up run.
        var id = schedule.Id;
        recurringJobs.AddOrUpdate<ScheduleJob>(
            IdOf(id),
            job => job.RunAsync(id, null, CancellationToken.None),
            schedule.Cron,
            new RecurringJobOptions { TimeZone = zone, MisfireHandling = MisfireHandlingMode.Relaxed });
    }

    public void Remove(Guid scheduleId) => recurringJobs.RemoveIfExists(IdOf(scheduleId));

    /// <summary>
    /// At start: every schedule in the database gets its job as <see cref="Apply"/> would give it, a schedule job
    /// without a schedule is removed, and a schedule with a missed occurrence has its job fired once now (a job that
    /// was missing would otherwise only fire at the next occurrence; where Hangfire fires it as well, the claim keeps
    /// that to one run).
    /// </summary>
    public async Task ReconcileAsync(CancellationToken cancellationToken)
    {
        // Listed before the schedules are read: a job another instance adds for a schedule created meanwhile is not
        // taken for a stray one.
        var listed = JobIds();
        List<Schedule> schedules;
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            schedules = await db.Schedules.AsNoTracking().ToListAsync(cancellationToken);
        }

        var now = time.GetUtcNow();
        foreach (var schedule in schedules)
        {
            Apply(schedule);
            if (!schedule.Paused && IsDue(schedule, now))
            {
                recurringJobs.TriggerJob(IdOf(schedule.Id));
            }
        }

        var kept = schedules.Select(s => IdOf(s.Id)).ToHashSet(StringComparer.Ordinal);
        var stray = listed.Where(id => !kept.Contains(id)).ToList();
        foreach (var id in stray)
        {
            recurringJobs.RemoveIfExists(id);
        }

        logger.LogInformation("Schedule jobs reconciled: {Schedules} schedule(s), {Stray} stray job(s) removed", schedules.Count, stray.Count);
    }

    /// <summary>The ids of the schedule jobs Hangfire holds.</summary>
    private List<string> JobIds()
    {
        using var connection = recurringJobs.Storage.GetConnection();
        return [.. connection.GetAllItemsFromSet("recurring-jobs").Where(id => id.StartsWith(IdPrefix, StringComparison.Ordinal))];
    }

    private static bool IsDue(Schedule schedule, DateTimeOffset now) =>
        ScheduleClock.TryParse(schedule.Cron, out _) is { } cron && ScheduleClock.FindZone(schedule.TimeZone) is { } zone
        && ScheduleClock.Due(cron, schedule.LastOccurrence ?? schedule.CreatedAt, now, zone) is not null;
}
