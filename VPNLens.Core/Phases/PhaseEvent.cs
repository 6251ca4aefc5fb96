namespace VPNLens.Core.Phases;

/// <summary>One phase of one protocol as the node reported it when the phase ended.</summary>
public sealed class PhaseEvent
{
    public long Id { get; set; }

    public Guid RunId { get; set; }

    public required string Protocol { get; set; }

    public required string Phase { get; set; }

    public PhaseStatus Status { get; set; }

    public DateTimeOffset StartedAt { get; set; }

    public DateTimeOffset EndedAt { get; set; }

    public string? Detail { get; set; }

    public DateTimeOffset ReceivedAt { get; set; }

    public TimeSpan Duration => EndedAt - StartedAt;
}
