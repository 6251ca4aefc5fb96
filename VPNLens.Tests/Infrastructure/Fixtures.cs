namespace VPNLens.Tests.Infrastructure;

/// <summary>Results bodies shaped exactly as docs/node-protocol.md defines them.</summary>
public static class Fixtures
{
    /// <summary>direct, wireguard, tailscale (failed at rung_ping) and nebula; 3 repetitions of 10 s, 20 pings.</summary>
    public static string FourProtocols() => Read("results-four-protocols.json");

    public static string Read(string name) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", name));
}
