using VPNLens.Core.Regressions;
using VPNLens.Core.Runs;

namespace VPNLens.Core.Schedules;

/// <summary>A schedule as a person or an automation sends it; <see cref="Validate"/> names every problem by field, settings as POST /api/runs does ("settings.repeats").</summary>
public sealed record ScheduleInput(
    Guid? NodeId,
    IReadOnlyList<string>? Protocols,
    string? Cron,
    string? Email,
    string? TimeZone = null,
    int? AlertM = null,
    int? AlertN = null,
    double? FloorPercent = null,
    bool? Paused = null,
    RunSettingsRequest? Settings = null)
{
    /// <param name="defaults">The configured run settings the schedule's own choices are checked over, as a one-off run's are.</param>
    public Dictionary<string, string[]> Validate(RunSettings defaults)
    {
        var run = new RunRequest(NodeId, Protocols, Email, Settings);
        var errors = run.Validate();
        foreach (var (field, messages) in run.SettingsOver(defaults).Errors)
        {
            errors[field] = messages;
        }

        if (ScheduleClock.TryParse(Cron, out var cronProblem) is null)
        {
            errors["cron"] = [cronProblem!];
        }

        if (TimeZone is not null && ScheduleClock.FindZone(TimeZone) is null)
        {
            errors["timeZone"] = [$"\"{TimeZone}\" is not a known time zone; use an IANA id such as \"Europe/Berlin\" or \"UTC\"."];
        }

        if (new MOfN(AlertM ?? MOfN.Default.M, AlertN ?? MOfN.Default.N).Problem is { } ruleProblem)
        {
            errors["alertM"] = [ruleProblem];
        }

        if (FloorPercent is < 0 or > 100)
        {
            errors["floorPercent"] = ["floorPercent must be between 0 and 100."];
        }

        return errors;
    }

    public void ApplyTo(Schedule schedule)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        schedule.NodeId = NodeId!.Value;
        schedule.Protocols = [.. Protocols!.Distinct(StringComparer.Ordinal)];
        schedule.Cron = Cron!.Trim();
        schedule.Email = Email!.Trim();
        schedule.TimeZone = TimeZone ?? "UTC";
        schedule.AlertM = AlertM ?? MOfN.Default.M;
        schedule.AlertN = AlertN ?? MOfN.Default.N;
        schedule.FloorPercent = FloorPercent;
        schedule.Paused = Paused ?? schedule.Paused;
        schedule.Settings = Settings == RunSettingsRequest.Empty ? null : Settings;
    }
}
