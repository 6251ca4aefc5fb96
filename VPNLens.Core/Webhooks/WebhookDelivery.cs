namespace VPNLens.Core.Webhooks;

/// <summary>A callback already applied; its webhook-id is unique so a redelivery is applied once.</summary>
public sealed class WebhookDelivery
{
    public required string MessageId { get; set; }

    public Guid RunId { get; set; }

    public required string Kind { get; set; }

    public DateTimeOffset ReceivedAt { get; set; }
}
