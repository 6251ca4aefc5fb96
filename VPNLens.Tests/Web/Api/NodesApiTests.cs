using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using VPNLens.Tests.Infrastructure;

namespace VPNLens.Tests.Web.Api;

[Collection(AppCollection.Name)]
public sealed class NodesApiTests : IAsyncLifetime
{
    private const string Fingerprint = "SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU";
    private readonly VpnLensApp app = new();
    private readonly string keyFile = Path.GetTempFileName();

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        File.Delete(keyFile);
        await app.DisposeAsync();
    }

    [Fact]
    public async Task A_user_or_host_that_is_shell_gets_400_naming_the_field_and_nothing_is_stored()
    {
        using var client = app.CreateApiClient();
        using var response = await client.PostAsJsonAsync(
            "/api/nodes",
            new { name = "node1", host = "-oProxyCommand=touch${IFS}/tmp/x", port = 22, user = "$(touch${IFS}/tmp/x)", hostKeyFingerprint = Fingerprint, privateKeyPath = keyFile },
            TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        var fields = problem.GetProperty("errors").EnumerateObject().Select(p => p.Name).Order().ToList();
        Assert.Equal(["host", "user"], fields);
        Assert.Equal(0, await app.WithDbAsync(db => db.Nodes.CountAsync()));
    }
}
