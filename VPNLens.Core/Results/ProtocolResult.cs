namespace VPNLens.Core.Results;

/// <summary>The stored outcome of one protocol in a run: its headline figures, for history, alerts and metrics (the detail is in the run's results body).</summary>
public sealed class ProtocolResult
{
    public long Id { get; set; }

    public Guid RunId { get; set; }

    /// <summary>The run's node, copied from the run when its results are stored, so a node's series is one range of an index.</summary>
    public Guid NodeId { get; set; }

    /// <summary>When the run ended, copied with <see cref="NodeId"/>: results are stored once the run has ended, and that time never moves.</summary>
    public DateTimeOffset FinishedAt { get; set; }

    public required string Protocol { get; set; }

    public bool Succeeded { get; set; }

    public string? ErrorPhase { get; set; }

    public string? ErrorMessage { get; set; }

    public double? UploadMedianBitsPerSecond { get; set; }

    public double? DownloadMedianBitsPerSecond { get; set; }

    public double? LatencyIdleP50Ms { get; set; }

    public double? UdpJitterMs { get; set; }

    public double? UdpLossPercent { get; set; }

    public double? SetupMs { get; set; }

    public double? RecoveryMs { get; set; }
}
