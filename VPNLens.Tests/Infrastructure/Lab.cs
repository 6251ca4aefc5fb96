using System.Text.Json;

namespace VPNLens.Tests.Infrastructure;

/// <summary>The project's network-namespace lab (scripts/lab/lab.sh): real hosts, real tunnels, torn down by its own script.</summary>
public sealed class Lab : IAsyncDisposable
{
    public const string GatewayAddress = "198.18.0.1";

    private Lab(JsonElement nodes) => Nodes = [.. nodes.GetProperty("nodes").EnumerateArray().Select(n => n.Clone())];

    public IReadOnlyList<JsonElement> Nodes { get; }

    public static string Script => Path.Combine(Repository.Scripts, "lab", "lab.sh");

    /// <summary>Brings up a lab of <paramref name="nodes"/> nodes; node N measures against VPN endpoint ((N-1) % endpoints) + 1.</summary>
    public static async Task<Lab> UpAsync(int nodes = 1, int endpoints = 1)
    {
        await ProcessRunner.RunAsync(
            Script,
            "up",
            "--nodes",
            nodes.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--endpoints",
            endpoints.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var labDir = Environment.GetEnvironmentVariable("VPNLENS_LAB_DIR") ?? "/run/vpnlens-lab";
        using var json = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(labDir, "nodes.json")));
        return new Lab(json.RootElement.Clone());
    }

    /// <summary>The node's $VPNLENS_HOME (its runs/ directory holds each run's run.log).</summary>
    public string Home(int index) => Nodes[index].GetProperty("env").GetProperty("VPNLENS_HOME").GetString()!;

    /// <summary>The node as POST /api/nodes takes it, with the VPN endpoint it measures against.</summary>
    public object NodeInput(int index = 0)
    {
        var node = Nodes[index];
        return new
        {
            name = node.GetProperty("name").GetString(),
            host = node.GetProperty("host").GetString(),
            port = node.GetProperty("port").GetInt32(),
            user = node.GetProperty("user").GetString(),
            hostKeyFingerprint = node.GetProperty("hostKeyFingerprint").GetString(),
            privateKeyPath = node.GetProperty("privateKeyPath").GetString(),
            endpoint = node.GetProperty("endpoint").GetString(),
        };
    }

    public async ValueTask DisposeAsync() => await ProcessRunner.RunAsync(Script, "down");
}
