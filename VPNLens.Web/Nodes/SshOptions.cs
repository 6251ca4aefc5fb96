using System.ComponentModel.DataAnnotations;

namespace VPNLens.Web.Nodes;

public sealed class SshOptions
{
    public const string Section = "Ssh";

    [Range(typeof(TimeSpan), "00:00:01", "00:05:00")]
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(10);

    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan CommandTimeout { get; set; } = TimeSpan.FromSeconds(60);

    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan KeepAliveInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Where the node scripts are; defaults to the scripts folder beside the app.</summary>
    public string? ScriptsPath { get; set; }
}
