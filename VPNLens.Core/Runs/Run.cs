namespace VPNLens.Core.Runs;

/// <summary>One benchmark of one node over one or more protocols.</summary>
public sealed class Run
{
    public Guid Id { get; set; } = Guid.NewGuid();

    /// <summary>The unguessable token of the read-only permalink /r/{token}.</summary>
    public required string PublicToken { get; set; }

    public required string RequesterEmail { get; set; }

    public Guid NodeId { get; set; }

    /// <summary>The protocols in execution order, the direct baseline first.</summary>
    public List<string> Protocols { get; set; } = [];

    public RunSettings Settings { get; set; } = new();

    public RunState State { get; set; } = RunState.Queued;

    public DateTimeOffset QueuedAt { get; set; }

    /// <summary>
    /// Strictly increasing in the order runs were queued, unique; breaks ties between equal <see cref="QueuedAt"/>.
    /// Null only for runs queued before sequences existed.
    /// </summary>
    public long? QueueSequence { get; set; }

    public DateTimeOffset? StartedAt { get; set; }

    public DateTimeOffset? FinishedAt { get; set; }

    /// <summary>How long the node has, from dispatch, to post its final results.</summary>
    public TimeSpan Timeout { get; set; }

    public DateTimeOffset? DeadlineAt { get; set; }

    public string? FailureReason { get; set; }

    /// <summary>The per-run Standard Webhooks secret the node signs callbacks with. Never shown; empty once erased after the run ended.</summary>
    public required string CallbackSecret { get; set; }

    /// <summary>Process group of run.sh on the node, so a timeout or cancel can stop it.</summary>
    public int? RemotePid { get; set; }

    /// <summary>True while a timed-out or cancelled run's script may still be running on the node; the node is not free until it is stopped.</summary>
    public bool RemoteStopPending { get; set; }

    /// <summary>The final results body exactly as the node posted it.</summary>
    public string? ResultsJson { get; set; }

    /// <summary>When retention removed the per-second samples from <see cref="ResultsJson"/>; null while they are kept.</summary>
    public DateTimeOffset? SamplesRemovedAt { get; set; }

    public EmailStatus EmailStatus { get; set; } = EmailStatus.Pending;

    public int EmailAttempts { get; set; }

    public string? EmailError { get; set; }
}

public enum EmailStatus
{
    Pending,
    Sent,
    Failed,
    NotConfigured,
}
