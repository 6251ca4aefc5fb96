namespace VPNLens.Core.Webhooks;

/// <summary>One HTTP attempt to deliver a message to an endpoint: the delivery log keeps the latest of each endpoint.</summary>
public sealed class WebhookAttempt
{
    public long Id { get; set; }

    public Guid EndpointId { get; set; }

    /// <summary>The webhook-id header: the same for every attempt of one message.</summary>
    public required string MessageId { get; set; }

    /// <summary>The message type, such as alert.opened or test.</summary>
    public required string Type { get; set; }

    /// <summary>1 for the first attempt of a message, 2 for its first retry, and so on.</summary>
    public int Attempt { get; set; }

    public DateTimeOffset At { get; set; }

    /// <summary>The HTTP status the receiver answered; null when no answer came (see <see cref="Error"/>).</summary>
    public int? StatusCode { get; set; }

    public string? Error { get; set; }

    public TimeSpan Duration { get; set; }

    public bool Succeeded => StatusCode is >= 200 and < 300;
}
