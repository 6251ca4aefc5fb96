namespace VPNLens.Core.Schedules;

/// <summary>A run a schedule queued, and for which occurrence.</summary>
public sealed class ScheduledRun
{
    public long Id { get; set; }

    public Guid ScheduleId { get; set; }

    public Guid RunId { get; set; }

    public DateTimeOffset Occurrence { get; set; }
}
