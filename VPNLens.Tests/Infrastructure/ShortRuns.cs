namespace VPNLens.Tests.Infrastructure;

/// <summary>
/// Run settings short enough that a test's configured <c>Runs:Deadline</c> decides rather than the settings' own
/// estimate (<see cref="VPNLens.Core.Runs.RunDeadline"/>), for apps whose node is a stub that measures nothing.
/// </summary>
public static class ShortRuns
{
    public static readonly IReadOnlyDictionary<string, string> Settings = new Dictionary<string, string>
    {
        ["Runs:Settings:TcpSeconds"] = "1",
        ["Runs:Settings:UdpSeconds"] = "1",
        ["Runs:Settings:OmitSeconds"] = "0",
        ["Runs:Settings:Repeats"] = "1",
        ["Runs:Settings:MaxRepeats"] = "1",
        ["Runs:Settings:PingCount"] = "1",
    };

    /// <summary>The configuration with <see cref="Settings"/> added.</summary>
    public static Dictionary<string, string?> Into(Dictionary<string, string?> configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        foreach (var (key, value) in Settings)
        {
            configuration[key] = value;
        }

        return configuration;
    }
}
