using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using VPNLens.Core.Runs;
using VPNLens.Tests.Infrastructure;

namespace VPNLens.Tests.Web.Api;

[Collection(AppCollection.Name)]
public sealed class CompareApiTests : IAsyncLifetime
{
    private readonly VpnLensApp app = new();
    private Run before = null!;
    private Run after = null!;
    private Run running = null!;

    public async ValueTask InitializeAsync()
    {
        var node = Seed.Node();
        before = Finished(node.Id, Fixtures.FourProtocols());
        after = Finished(node.Id, Fixtures.FourProtocolsScaled("wireguard", "tcpUpload", 1.1));
        running = Seed.Run(node.Id, RunState.Running, protocols: ["wireguard"]);
        await app.WithDbAsync(async db =>
        {
            db.Nodes.Add(node);
            db.Runs.AddRange(before, after, running);
            await db.SaveChangesAsync();
        });
    }

    public ValueTask DisposeAsync() => app.DisposeAsync();

    [Fact]
    public async Task Two_finished_runs_are_compared_metric_by_metric_with_the_verdicts_calls()
    {
        using var client = app.CreateApiClient();
        var body = await client.GetFromJsonAsync<JsonElement>($"/api/compare?a={before.Id}&b={after.Id}", TestContext.Current.CancellationToken);

        Assert.Equal(before.Id, body.GetProperty("a").GetProperty("id").GetGuid());
        Assert.Equal(after.Id, body.GetProperty("b").GetProperty("id").GetGuid());
        var changes = body.GetProperty("changes").EnumerateArray().ToList();
        var upload = changes.Single(c => c.GetProperty("protocol").GetString() == "wireguard" && c.GetProperty("metric").GetString() == "tcp_upload");
        Assert.Equal("different", upload.GetProperty("call").GetString());
        Assert.Equal("ratio", upload.GetProperty("scale").GetString());
        Assert.Equal(1.1, upload.GetProperty("estimate").GetDouble(), 3);
        Assert.True(upload.GetProperty("low").GetDouble() > 1 && upload.GetProperty("high").GetDouble() < 1.2, upload.ToString());
        Assert.True(upload.GetProperty("improved").GetBoolean());
        var directUpload = changes.Single(c => c.GetProperty("protocol").GetString() == "direct" && c.GetProperty("metric").GetString() == "tcp_upload");
        Assert.Equal("within_noise", directUpload.GetProperty("call").GetString());
        Assert.Equal(JsonValueKind.Null, directUpload.GetProperty("improved").ValueKind);
    }

    [Fact]
    public async Task A_change_inside_the_nodes_run_to_run_spread_at_the_same_settings_is_called_a_tie()
    {
        var history = new[] { 0.8, 0.9, 1.0, 1.1, 1.2 }.Select(f => Finished(before.NodeId, Fixtures.FourProtocolsScaled("wireguard", "tcpUpload", f))).ToList();
        var otherSettings = Finished(before.NodeId, Fixtures.FourProtocolsScaled("wireguard", "tcpUpload", 3));
        otherSettings.Settings = otherSettings.Settings with { TcpSeconds = otherSettings.Settings.TcpSeconds + 1 };
        await app.WithDbAsync(async db =>
        {
            db.Runs.AddRange([.. history, otherSettings]);
            await db.SaveChangesAsync();
        });

        using var client = app.CreateApiClient();
        var body = await client.GetFromJsonAsync<JsonElement>($"/api/compare?a={before.Id}&b={after.Id}", TestContext.Current.CancellationToken);

        var upload = body.GetProperty("changes").EnumerateArray()
            .Single(c => c.GetProperty("protocol").GetString() == "wireguard" && c.GetProperty("metric").GetString() == "tcp_upload");
        Assert.Equal("within_noise", upload.GetProperty("call").GetString());
        Assert.Equal(5, upload.GetProperty("runToRunRuns").GetInt32());
        Assert.True(upload.GetProperty("runToRunSpread").GetDouble() > 10, upload.ToString());
        Assert.Contains("run-to-run spread", upload.GetProperty("text").GetString(), StringComparison.Ordinal);
        Assert.Contains("run-to-run spread", body.GetProperty("method").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("?b=B", "a")]
    [InlineData("?a=A&b=not-a-run", "b")]
    public async Task A_missing_or_malformed_id_is_a_validation_problem_naming_it(string query, string field)
    {
        using var client = app.CreateApiClient();
        using var response = await client.GetAsync("/api/compare" + query.Replace("A", before.Id.ToString(), StringComparison.Ordinal).Replace("=B", "=" + after.Id, StringComparison.Ordinal), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
    }

    [Fact]
    public async Task An_unknown_run_is_404_and_a_run_without_results_is_409_each_named()
    {
        var unknown = Guid.NewGuid();
        using var client = app.CreateApiClient();
        using var missing = await client.GetAsync($"/api/compare?a={before.Id}&b={unknown}", TestContext.Current.CancellationToken);
        using var unfinished = await client.GetAsync($"/api/compare?a={running.Id}&b={after.Id}", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Contains(unknown.ToString(), await missing.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Conflict, unfinished.StatusCode);
        Assert.Contains($"Run {running.Id} has no results to compare (running).", await unfinished.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_a_token_the_comparison_answers_401()
    {
        using var client = app.CreateClient();
        using var response = await client.GetAsync($"/api/compare?a={before.Id}&b={after.Id}", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    private static Run Finished(Guid nodeId, string results)
    {
        var run = Seed.Run(nodeId, RunState.Succeeded, protocols: ["wireguard", "tailscale", "nebula"]);
        run.ResultsJson = results;
        run.FinishedAt = new DateTimeOffset(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);
        return run;
    }
}
