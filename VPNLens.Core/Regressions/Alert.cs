namespace VPNLens.Core.Regressions;

public enum AlertKind
{
    /// <summary>A node × protocol × metric series shifted the wrong way.</summary>
    Regression,

    /// <summary>Scheduled runs failed or timed out.</summary>
    RunFailed,
}

/// <summary>An alert, open until <see cref="RecoveredAt"/>, with the evidence that opened it.</summary>
public sealed class Alert
{
    public long Id { get; set; }

    public AlertKind Kind { get; set; }

    public Guid NodeId { get; set; }

    public Guid? ScheduleId { get; set; }

    /// <summary>The protocol and metric of a regression; null for a failed-run alert.</summary>
    public string? Protocol { get; set; }

    public string? Metric { get; set; }

    public DateTimeOffset OpenedAt { get; set; }

    public DateTimeOffset? RecoveredAt { get; set; }

    /// <summary>The run whose result opened the alert, and the one that closed it.</summary>
    public Guid OpenedByRunId { get; set; }

    public Guid? RecoveredByRunId { get; set; }

    /// <summary>When the shift began: the first result of the new level.</summary>
    public DateTimeOffset? ChangeAt { get; set; }

    public double? Before { get; set; }

    public double? After { get; set; }

    /// <summary>The 95 % interval of After − Before.</summary>
    public double? ShiftLow { get; set; }

    public double? ShiftHigh { get; set; }

    public double? PValue { get; set; }

    /// <summary>For a failed-run alert: the reason the latest run gave.</summary>
    public string? Reason { get; set; }

    public bool IsOpen => RecoveredAt is null;

    public double? RelativeShift => Before is { } before && After is { } after && before != 0 ? (after - before) / Math.Abs(before) : null;
}
