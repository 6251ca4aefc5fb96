using System.ComponentModel.DataAnnotations;

namespace VPNLens.Web.Runs;

public sealed class RunOptions
{
    public const string Section = "Runs";

    /// <summary>
    /// How long a dispatched run of direct and one VPN has to post its final results before it is TimedOut; a run whose
    /// settings may take longer gets half again its longest estimate (<see cref="Core.Runs.RunDeadline"/>).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan Deadline { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Added to <see cref="Deadline"/> for each further protocol a run measures.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00")]
    public TimeSpan DeadlinePerExtraProtocol { get; set; } = TimeSpan.FromMinutes(4);

    /// <summary>How often the deadline monitor looks for runs past their deadline.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:01:00")]
    public TimeSpan DeadlineCheckInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How long after a run's deadline its leases may be taken back if the run never let go of them (its instance died).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan LeaseGrace { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// How many of a dispatch round's startable runs start in one transaction; a chunk that loses a lease to another
    /// dispatcher starts its runs one by one instead. 1 starts every run in its own transaction.
    /// </summary>
    [Range(1, 500)]
    public int DispatchChunk { get; set; } = 50;

    /// <summary>How many runs of one dispatch chunk start at once (connected to, run.sh started).</summary>
    [Range(1, 64)]
    public int StartParallelism { get; set; } = 8;

    /// <summary>How many dispatch chunks an instance starts at once (<see cref="InProcessRunStarts"/>).</summary>
    [Range(1, 64)]
    public int StartingChunks { get; set; } = 4;

    /// <summary>Measurement settings for new runs; tests and the lab shorten them.</summary>
    public VPNLens.Core.Runs.RunSettings Settings { get; set; } = new();
}

public sealed class CallbackOptions
{
    public const string Section = "Callbacks";

    /// <summary>The base URL nodes post callbacks to, e.g. https://api.example.com/ or http://198.18.0.1:5080/.</summary>
    [Required]
    public Uri BaseUrl { get; set; } = new("http://198.18.0.1:5080/");

    /// <summary>The largest callback body accepted.</summary>
    [Range(1024, 16 * 1024 * 1024)]
    public int MaxBodyBytes { get; set; } = 1024 * 1024;

    /// <summary>How many posted results one instance stores at once (<see cref="Callbacks.ResultsIntakeLimit"/>).</summary>
    [Range(1, 256)]
    public int ResultsConcurrency { get; set; } = 16;

    /// <summary>How many posted results may wait for their turn; past it a node is answered 503 and posts again.</summary>
    [Range(0, 100_000)]
    public int ResultsQueueLimit { get; set; } = 10_000;
}

public sealed class AppOptions
{
    public const string Section = "App";

    /// <summary>Where people reach the dashboard; permalinks in emails start with it.</summary>
    [Required]
    public Uri PublicUrl { get; set; } = new("http://127.0.0.1:5080/");

    public string PermalinkFor(string token) => new Uri(PublicUrl, $"r/{token}").ToString();
}
