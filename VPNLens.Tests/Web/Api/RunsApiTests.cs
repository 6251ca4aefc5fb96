using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using VPNLens.Core.Runs;
using VPNLens.Tests.Infrastructure;

namespace VPNLens.Tests.Web.Api;

[Collection(AppCollection.Name)]
public sealed class RunsApiTests : IAsyncLifetime
{
    private readonly VpnLensApp app = new();
    private Guid nodeId;

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
    public async Task Queuing_a_run_answers_202_at_once_with_its_location_and_permalink()
    {
        using var client = app.CreateApiClient();
        using var response = await client.PostAsJsonAsync("/api/runs", new { nodeId, protocols = new[] { "wireguard", "nebula" }, email = "ops@example.com" }, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        var id = body.GetProperty("id").GetGuid();
        Assert.Equal($"/api/runs/{id}", response.Headers.Location?.ToString());
        Assert.Equal("Queued", body.GetProperty("status").GetString());
        Assert.Equal(1, body.GetProperty("queuePosition").GetInt32());
        var token = await app.WithDbAsync(db => db.Runs.Where(r => r.Id == id).Select(r => r.PublicToken).SingleAsync());
        Assert.Equal($"http://127.0.0.1:5080/r/{token}", body.GetProperty("permalink").GetString());
        Assert.Equal(["direct", "wireguard", "nebula"], body.GetProperty("protocols").EnumerateArray().Select(p => p.GetString()));
    }

    [Fact]
    public async Task A_run_of_more_protocols_gets_a_longer_deadline()
    {
        using var client = app.CreateApiClient();
        using var small = await client.PostAsJsonAsync("/api/runs", new { nodeId, protocols = new[] { "wireguard" }, email = "ops@example.com" }, TestContext.Current.CancellationToken);
        using var large = await client.PostAsJsonAsync("/api/runs", new { nodeId, protocols = new[] { "wireguard", "nebula", "openvpn", "tailscale" }, email = "ops@example.com" }, TestContext.Current.CancellationToken);
        var smallId = (await small.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken)).GetProperty("id").GetGuid();
        var largeId = (await large.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken)).GetProperty("id").GetGuid();

        var timeouts = await app.WithDbAsync(db => db.Runs.Where(r => r.Id == smallId || r.Id == largeId).ToDictionaryAsync(r => r.Id, r => r.Timeout));

        // At the default settings a protocol may take 401 s (six repeats): half again that for each protocol, which is later
        // than ten minutes for direct and one VPN and four more for each further protocol.
        Assert.Equal(TimeSpan.FromSeconds(401 * 2 * 1.5), timeouts[smallId]);
        Assert.Equal(TimeSpan.FromSeconds(401 * 5 * 1.5), timeouts[largeId]);
    }

    [Fact]
    public async Task Without_a_token_the_api_answers_401()
    {
        using var client = app.CreateClient();
        using var response = await client.PostAsJsonAsync("/api/runs", new { nodeId, protocols = new[] { "wireguard" }, email = "ops@example.com" }, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(0, await app.WithDbAsync(db => db.Runs.CountAsync()));
    }

    [Fact]
    public async Task A_wrong_token_answers_401()
    {
        using var client = app.CreateClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", "not-the-token-at-all");
        using var response = await client.GetAsync("/api/runs", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Theory]
    [InlineData("{\"protocols\":[\"wireguard\"],\"email\":\"ops@example.com\"}", "nodeId")]
    [InlineData("{\"nodeId\":\"NODE\",\"protocols\":[\"tinc\"],\"email\":\"ops@example.com\"}", "protocols")]
    [InlineData("{\"nodeId\":\"NODE\",\"protocols\":[],\"email\":\"ops@example.com\"}", "protocols")]
    [InlineData("{\"nodeId\":\"NODE\",\"protocols\":[\"wireguard\"],\"email\":\"nope\"}", "email")]
    [InlineData("{\"nodeId\":\"7d5a3a2e-8ac4-4a61-9d0c-4c8de0f0a001\",\"protocols\":[\"wireguard\"],\"email\":\"ops@example.com\"}", "nodeId")]
    [InlineData("{\"nodeId\":", "body")]
    [InlineData("null", "body")]
    public async Task Bad_requests_get_a_validation_problem_naming_the_field(string json, string field)
    {
        using var client = app.CreateApiClient();
        using var content = new StringContent(json.Replace("NODE", nodeId.ToString(), StringComparison.Ordinal), System.Text.Encoding.UTF8, "application/json");
        using var response = await client.PostAsync("/api/runs", content, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), $"errors should name {field}: {problem}");
        Assert.Equal(0, await app.WithDbAsync(db => db.Runs.CountAsync()));
    }

    [Fact]
    public async Task A_protocol_whose_tools_the_last_probe_did_not_find_is_refused_naming_them()
    {
        await app.WithDbAsync(async db =>
        {
            var node = await db.Nodes.SingleAsync(n => n.Id == nodeId);
            node.ProbedTools = ["bash", "curl", "jq", "openssl", "iperf3", "ping", "ip", "wg", "wg-quick"];
            node.ProbedAt = new DateTimeOffset(2026, 12, 1, 9, 30, 0, TimeSpan.Zero);
            await db.SaveChangesAsync();
        });
        using var client = app.CreateApiClient();

        using var refused = await client.PostAsJsonAsync("/api/runs", new { nodeId, protocols = new[] { "wireguard", "openvpn" }, email = "ops@example.com" }, TestContext.Current.CancellationToken);
        using var accepted = await client.PostAsJsonAsync("/api/runs", new { nodeId, protocols = new[] { "wireguard" }, email = "ops@example.com" }, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        var problem = await refused.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        var message = Assert.Single(problem.GetProperty("errors").GetProperty("protocols").EnumerateArray()).GetString();
        Assert.Equal("The node's last probe (2026-12-01 09:30:00Z) did not find openvpn for OpenVPN; install it on the node and probe it again.", message);
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
    }

    [Fact]
    public async Task A_missing_body_gets_a_validation_problem()
    {
        using var client = app.CreateApiClient();
        using var response = await client.PostAsync("/api/runs", null, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task Listing_and_getting_runs_show_status_and_phases()
    {
        var run = Seed.Run(nodeId, RunState.Succeeded);
        await app.WithDbAsync(async db =>
        {
            db.Runs.Add(run);
            db.PhaseEvents.Add(new VPNLens.Core.Phases.PhaseEvent { RunId = run.Id, Protocol = "direct", Phase = "stop_everything", StartedAt = DateTimeOffset.UtcNow, EndedAt = DateTimeOffset.UtcNow.AddSeconds(1) });
            await db.SaveChangesAsync();
        });
        using var client = app.CreateApiClient();

        var list = await client.GetFromJsonAsync<JsonElement>("/api/runs", TestContext.Current.CancellationToken);
        var one = await client.GetFromJsonAsync<JsonElement>($"/api/runs/{run.Id}", TestContext.Current.CancellationToken);

        Assert.Contains(list.EnumerateArray(), r => r.GetProperty("id").GetGuid() == run.Id);
        Assert.Equal("Succeeded", one.GetProperty("status").GetString());
        Assert.Equal("stop_everything", one.GetProperty("phases")[0].GetProperty("phase").GetString());
        using var missing = await client.GetAsync($"/api/runs/{Guid.NewGuid()}", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task Getting_a_run_shows_its_emails_state_and_error()
    {
        var run = Seed.Run(nodeId, RunState.Failed);
        run.EmailStatus = EmailStatus.Failed;
        run.EmailError = "The mail server 127.0.0.1:25 refused the recipient: 550 no such user";
        await app.WithDbAsync(async db =>
        {
            db.Runs.Add(run);
            await db.SaveChangesAsync();
        });
        using var client = app.CreateApiClient();

        var one = await client.GetFromJsonAsync<JsonElement>($"/api/runs/{run.Id}", TestContext.Current.CancellationToken);

        Assert.Equal("Failed", one.GetProperty("emailStatus").GetString());
        Assert.Equal(run.EmailError, one.GetProperty("emailError").GetString());
    }
}
