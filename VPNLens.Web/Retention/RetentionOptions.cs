using System.ComponentModel.DataAnnotations;

namespace VPNLens.Web.Retention;

public sealed class RetentionOptions
{
    public const string Section = "Retention";

    /// <summary>
    /// Days a finished run keeps its per-second throughput samples and its phases' detail text; after that only the
    /// per-repetition figures, the pings, the summaries and the verdict remain. 0 keeps everything forever.
    /// </summary>
    [Range(0, 36500)]
    public int RawSamplesDays { get; set; } = 30;

    /// <summary>How often finished runs are looked at.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan CheckInterval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>The most runs thinned in one transaction; a round takes batches until none is left.</summary>
    [Range(1, 1000)]
    public int BatchSize { get; set; } = 50;
}
