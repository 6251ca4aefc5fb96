namespace VPNLens.Core.Regressions;

public enum AlertNotificationKind
{
    Opened,
    Recovered,
}

/// <summary>
/// That an alert's opening or recovery has been announced: one row per alert and kind (a unique index), taken before
/// anything is sent, so a retried job or a second app instance never announces it twice. Holds the message as sent.
/// </summary>
public sealed class AlertNotification
{
    public long Id { get; set; }

    public long AlertId { get; set; }

    public AlertNotificationKind Kind { get; set; }

    /// <summary>The webhook-id of this message, the same for every endpoint and every retry.</summary>
    public required string MessageId { get; set; }

    /// <summary>alert.opened, alert.recovered or run.failed.</summary>
    public required string Type { get; set; }

    /// <summary>The webhook body (JSON), built once so every retry sends the same bytes.</summary>
    public required string Payload { get; set; }

    /// <summary>The schedule's address; null when the alert has no schedule to mail.</summary>
    public string? EmailTo { get; set; }

    public required string Subject { get; set; }

    public required string Text { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset? EmailSentAt { get; set; }
}
