using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using VPNLens.Tests.Infrastructure;
using VPNLens.Web.ApiTokens;

namespace VPNLens.Tests.Web.Api;

[Collection(AppCollection.Name)]
public sealed class ApiTokensTests : IAsyncLifetime
{
    private readonly VpnLensApp app = new();
    private Guid nodeId;

    private ApiTokenStore Store => app.Services.GetRequiredService<ApiTokenStore>();

    public async ValueTask InitializeAsync()
    {
        var node = Seed.Node();
        nodeId = node.Id;
        await app.WithDbAsync(async db =>
        {
            db.Nodes.Add(node);
            await db.SaveChangesAsync();
        });
    }

    public ValueTask DisposeAsync() => app.DisposeAsync();

    [Fact]
    public async Task A_runs_token_queues_and_reads_runs_but_cannot_manage_nodes_or_open_hangfire()
    {
        var created = await Store.CreateAsync("ci", ApiTokenScope.Runs, TestContext.Current.CancellationToken);
        using var client = Client(created.Secret);

        using var queued = await client.PostAsJsonAsync("/api/runs", new { nodeId, protocols = new[] { "wireguard" }, email = "ops@example.com" }, TestContext.Current.CancellationToken);
        using var runs = await client.GetAsync("/api/runs", TestContext.Current.CancellationToken);
        using var nodes = await client.GetAsync("/api/nodes", TestContext.Current.CancellationToken);
        using var hangfire = await client.GetAsync("/hangfire", TestContext.Current.CancellationToken);

        Assert.Equal(
            (HttpStatusCode.Accepted, HttpStatusCode.OK, HttpStatusCode.Forbidden, HttpStatusCode.Unauthorized),
            (queued.StatusCode, runs.StatusCode, nodes.StatusCode, hangfire.StatusCode));
    }

    [Fact]
    public async Task An_admin_token_manages_nodes_but_hangfire_stays_for_signed_in_admins()
    {
        var created = await Store.CreateAsync("ops", ApiTokenScope.Admin, TestContext.Current.CancellationToken);
        using var client = Client(created.Secret);
        using var bootstrap = app.CreateApiClient();

        using var nodes = await client.GetAsync("/api/nodes", TestContext.Current.CancellationToken);
        using var runs = await client.GetAsync("/api/runs", TestContext.Current.CancellationToken);
        using var hangfire = await client.GetAsync("/hangfire", TestContext.Current.CancellationToken);
        using var bootstrapNodes = await bootstrap.GetAsync("/api/nodes", TestContext.Current.CancellationToken);
        using var bootstrapHangfire = await bootstrap.GetAsync("/hangfire", TestContext.Current.CancellationToken);

        Assert.Equal(
            (HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.Unauthorized, HttpStatusCode.OK, HttpStatusCode.Unauthorized),
            (nodes.StatusCode, runs.StatusCode, hangfire.StatusCode, bootstrapNodes.StatusCode, bootstrapHangfire.StatusCode));
    }

    [Fact]
    public async Task A_revoked_token_is_refused_and_the_others_keep_working()
    {
        var revoked = await Store.CreateAsync("old", ApiTokenScope.Admin, TestContext.Current.CancellationToken);
        var kept = await Store.CreateAsync("new", ApiTokenScope.Runs, TestContext.Current.CancellationToken);

        Assert.True(await Store.RevokeAsync(revoked.Token.Id, TestContext.Current.CancellationToken));
        Assert.False(await Store.RevokeAsync(revoked.Token.Id, TestContext.Current.CancellationToken));

        using var refused = await Client(revoked.Secret).GetAsync("/api/runs", TestContext.Current.CancellationToken);
        using var accepted = await Client(kept.Secret).GetAsync("/api/runs", TestContext.Current.CancellationToken);
        Assert.Equal((HttpStatusCode.Unauthorized, HttpStatusCode.OK), (refused.StatusCode, accepted.StatusCode));
    }

    [Fact]
    public async Task The_database_holds_only_the_tokens_sha256()
    {
        var created = await Store.CreateAsync("ci", ApiTokenScope.Runs, TestContext.Current.CancellationToken);
        using var used = await Client(created.Secret).GetAsync("/api/runs", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, used.StatusCode);

        var stored = await app.WithDbAsync(db => db.ApiTokens.SingleAsync());
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(created.Secret))), stored.Hash);
        Assert.StartsWith("vlt_", created.Secret, StringComparison.Ordinal);
        Assert.True(created.Secret.Length >= 40);
        var secretPart = Encoding.UTF8.GetBytes(created.Secret[stored.Prefix.Length..]);
        foreach (var file in Directory.GetFiles(app.DataDirectory, "vpnlens.db*"))
        {
            await using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var copy = new MemoryStream();
            await stream.CopyToAsync(copy, TestContext.Current.CancellationToken);
            Assert.True(copy.ToArray().AsSpan().IndexOf(secretPart) < 0, $"{Path.GetFileName(file)} holds the token");
        }
    }

    private HttpClient Client(string token)
    {
        var client = app.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }
}
