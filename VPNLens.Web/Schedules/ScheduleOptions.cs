using System.ComponentModel.DataAnnotations;

namespace VPNLens.Web.Schedules;

public sealed class ScheduleOptions
{
    public const string Section = "Schedules";

    /// <summary>How often due schedules are looked for; cron's resolution is a minute.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:05:00")]
    public TimeSpan TickInterval { get; set; } = TimeSpan.FromSeconds(15);
}
