using Cronos;

namespace VPNLens.Core.Schedules;

/// <summary>Cron parsing and the occurrence arithmetic of schedules (Cronos), free of any timer.</summary>
public static class ScheduleClock
{
    /// <summary>Parses a five-field cron expression; on failure, <paramref name="problem"/> says why.</summary>
    public static CronExpression? TryParse(string? cron, out string? problem)
    {
        if (string.IsNullOrWhiteSpace(cron))
        {
            problem = "cron is required, e.g. \"0 * * * *\" for every hour.";
            return null;
        }

        try
        {
            problem = null;
            return CronExpression.Parse(cron.Trim(), CronFormat.Standard);
        }
        catch (CronFormatException ex)
        {
            problem = $"\"{cron}\" is not a five-field cron expression (minute hour day month weekday): {ex.Message}";
            return null;
        }
    }

    public static TimeZoneInfo? FindZone(string? id)
    {
        if (string.IsNullOrWhiteSpace(id))
        {
            return null;
        }

        return TimeZoneInfo.TryFindSystemTimeZoneById(id, out var zone) ? zone : null;
    }

    public static DateTimeOffset? NextAfter(CronExpression cron, DateTimeOffset after, TimeZoneInfo zone)
    {
        ArgumentNullException.ThrowIfNull(cron);
        return cron.GetNextOccurrence(after, zone);
    }

    /// <summary>
    /// The occurrence to run now: the latest one after <paramref name="since"/> and not after <paramref name="now"/>.
    /// However many were missed (the app was down), that is at most one catch-up run.
    /// </summary>
    public static DateTimeOffset? Due(CronExpression cron, DateTimeOffset since, DateTimeOffset now, TimeZoneInfo zone)
    {
        ArgumentNullException.ThrowIfNull(cron);
        DateTimeOffset? due = null;
        var next = cron.GetNextOccurrence(since, zone);
        while (next is { } occurrence && occurrence <= now)
        {
            due = occurrence;
            next = cron.GetNextOccurrence(occurrence, zone);
        }

        return due;
    }
}
