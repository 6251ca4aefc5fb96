using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using VPNLens.Tests.Infrastructure;

namespace VPNLens.Tests.Web.Nodes;

/// <summary>A node's endpoint must name something known, and a scripts path that cannot work stops the app at start.</summary>
[Collection(AppCollection.Name)]
public sealed class NodeEndpointAndStartupTests
{
    [Fact]
    public async Task A_node_endpoint_that_names_nothing_known_is_a_400_naming_the_field()
    {
        await using var app = new VpnLensApp(new Dictionary<string, string?> { ["Endpoints:Names:0"] = "endpoint-b" });
        using var client = app.CreateApiClient();
        var key = Path.GetTempFileName();

        using var unknown = await client.PostAsJsonAsync("/api/nodes", Node("n1", key, "nowhere"), TestContext.Current.CancellationToken);
        using var known = await client.PostAsJsonAsync("/api/nodes", Node("n2", key, "endpoint-b"), TestContext.Current.CancellationToken);
        using var defaulted = await client.PostAsJsonAsync("/api/nodes", Node("n3", key, null), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        var problem = await unknown.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        Assert.Contains("endpoint-b", problem.GetProperty("errors").GetProperty("endpoint")[0].GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Created, known.StatusCode);
        Assert.Equal("endpoint-b", (await known.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken)).GetProperty("endpoint").GetString());
        Assert.Equal("control-plane", (await defaulted.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken)).GetProperty("endpoint").GetString());
    }

    [Fact]
    public async Task A_scripts_path_without_run_sh_stops_the_app_at_start_naming_the_setting()
    {
        var empty = Directory.CreateTempSubdirectory("vpnlens-no-scripts-").FullName;
        await using var app = new VpnLensApp(new Dictionary<string, string?> { ["Ssh:ScriptsPath"] = empty });

        var error = Assert.ThrowsAny<Exception>(() => app.CreateClient());

        Assert.Contains("Ssh:ScriptsPath", error.ToString(), StringComparison.Ordinal);
        Assert.Contains(empty, error.ToString(), StringComparison.Ordinal);
    }

    private static object Node(string name, string keyPath, string? endpoint) => new
    {
        name,
        host = "127.0.0.1",
        port = 22,
        user = "root",
        hostKeyFingerprint = "SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU",
        privateKeyPath = keyPath,
        endpoint,
    };
}
