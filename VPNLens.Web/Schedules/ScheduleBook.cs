using Microsoft.EntityFrameworkCore;
using VPNLens.Core.Schedules;
using VPNLens.Web.Persistence;
using VPNLens.Web.Runs;

namespace VPNLens.Web.Schedules;

/// <summary>What saving a schedule came to: the schedule, or the problems by field, or no schedule with that id.</summary>
public sealed record ScheduleSaveOutcome(Schedule? Schedule, Dictionary<string, string[]> Errors, bool Missing = false);

/// <summary>
/// Creates, changes, pauses, resumes and deletes schedules, for the API and the Schedules page alike, and keeps each
/// schedule's recurring job (<see cref="ScheduleJobs"/>) in step once the database has the change.
/// </summary>
public sealed class ScheduleBook(IDbContextFactory<AppDbContext> dbFactory, RunQueue queue, ScheduleJobs jobs, TimeProvider time)
{
    public async Task<List<Schedule>> ListAsync(CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.Schedules.AsNoTracking().OrderBy(s => s.CreatedAt).ToListAsync(cancellationToken);
    }

    public async Task<Schedule?> FindAsync(Guid id, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.Schedules.AsNoTracking().FirstOrDefaultAsync(s => s.Id == id, cancellationToken);
    }

    /// <summary>Creates a schedule (<paramref name="id"/> null) or changes one; nothing is stored unless the input is valid.</summary>
    public async Task<ScheduleSaveOutcome> SaveAsync(Guid? id, ScheduleInput input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var schedule = id is null ? null : await db.Schedules.FirstOrDefaultAsync(s => s.Id == id, cancellationToken);
        if (id is not null && schedule is null)
        {
            return new ScheduleSaveOutcome(null, [], Missing: true);
        }

        var errors = input.Validate(queue.DefaultSettings);
        if (!errors.ContainsKey("nodeId") && !await db.Nodes.AnyAsync(n => n.Id == input.NodeId, cancellationToken))
        {
            errors["nodeId"] = [$"There is no node {input.NodeId}."];
        }

        if (errors.Count > 0)
        {
            return new ScheduleSaveOutcome(null, errors);
        }

        var now = time.GetUtcNow();
        if (schedule is null)
        {
            schedule = new Schedule { Cron = input.Cron!, Email = input.Email!, CreatedAt = now };
            db.Schedules.Add(schedule);
        }
        else if (!string.Equals(schedule.Cron, input.Cron!.Trim(), StringComparison.Ordinal))
        {
            // A new cron starts counting now: occurrences of the old one are not caught up.
            schedule.LastOccurrence = now;
        }

        input.ApplyTo(schedule);
        await db.SaveChangesAsync(cancellationToken);
        jobs.Apply(schedule);
        return new ScheduleSaveOutcome(schedule, []);
    }

    /// <summary>Pauses or resumes a schedule; null when there is none with that id.</summary>
    public async Task<Schedule?> SetPausedAsync(Guid id, bool paused, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var schedule = await db.Schedules.FirstOrDefaultAsync(s => s.Id == id, cancellationToken);
        if (schedule is null)
        {
            return null;
        }

        if (schedule.Paused && !paused)
        {
            // Resuming does not catch up what was missed while paused.
            schedule.LastOccurrence = time.GetUtcNow();
        }

        schedule.Paused = paused;
        await db.SaveChangesAsync(cancellationToken);
        jobs.Apply(schedule);
        return schedule;
    }

    public async Task<bool> DeleteAsync(Guid id, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var deleted = await db.Schedules.Where(s => s.Id == id).ExecuteDeleteAsync(cancellationToken) > 0;
        jobs.Remove(id);
        return deleted;
    }
}
