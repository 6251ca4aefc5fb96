namespace VPNLens.Core.Webhooks;

/// <summary>A receiver of outgoing webhooks: alerts are POSTed to its URL, signed with its own secret.</summary>
public sealed class WebhookEndpoint
{
    public Guid Id { get; set; } = Guid.NewGuid();

    public required string Name { get; set; }

    /// <summary>An absolute http or https URL.</summary>
    public required string Url { get; set; }

    /// <summary>The receiver's "whsec_" signing secret; shown once when created, kept encrypted at rest.</summary>
    public required string Secret { get; set; }

    public bool Enabled { get; set; } = true;

    public DateTimeOffset CreatedAt { get; set; }
}
