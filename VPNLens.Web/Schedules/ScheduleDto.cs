using VPNLens.Core.Runs;
using VPNLens.Core.Schedules;

namespace VPNLens.Web.Schedules;

public sealed record ScheduleDto(
    Guid Id,
    Guid NodeId,
    IReadOnlyList<string> Protocols,
    string Cron,
    string TimeZone,
    string Email,
    bool Paused,
    int AlertM,
    int AlertN,
    double? FloorPercent,
    DateTimeOffset? LastOccurrence,
    DateTimeOffset? NextRunAt,
    RunSettingsRequest? Settings)
{
    public static ScheduleDto From(Schedule schedule, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        var cron = ScheduleClock.TryParse(schedule.Cron, out _);
        var zone = ScheduleClock.FindZone(schedule.TimeZone);
        var next = schedule.Paused || cron is null || zone is null ? null : ScheduleClock.NextAfter(cron, now, zone);
        return new ScheduleDto(
            schedule.Id, schedule.NodeId, schedule.Protocols, schedule.Cron, schedule.TimeZone, schedule.Email, schedule.Paused,
            schedule.AlertM, schedule.AlertN, schedule.FloorPercent, schedule.LastOccurrence, next, schedule.Settings);
    }
}
