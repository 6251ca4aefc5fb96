namespace VPNLens.Tests.Infrastructure;

/// <summary>Results bodies shaped exactly as docs/node-protocol.md defines them.</summary>
public static class Fixtures
{
    /// <summary>direct, wireguard, tailscale (failed at rung_ping) and nebula; 3 repetitions of 10 s, 20 pings.</summary>
    public static string FourProtocols() => Read("results-four-protocols.json");

    /// <summary>The four-protocol body with one protocol's samples of one test scaled, as a second run to compare with.</summary>
    public static string FourProtocolsScaled(string protocol, string test, double factor)
    {
        var body = System.Text.Json.Nodes.JsonNode.Parse(FourProtocols())!;
        var section = body["protocols"]!.AsArray().Single(p => (string?)p!["protocol"] == protocol)!;
        foreach (var sample in section[test]!.AsArray())
        {
            sample!["bitsPerSecond"] = sample["bitsPerSecond"]!.GetValue<double>() * factor;
        }

        return body.ToJsonString();
    }

    public static string Read(string name) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", name));
}
