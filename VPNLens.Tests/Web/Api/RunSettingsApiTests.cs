using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using VPNLens.Tests.Infrastructure;

namespace VPNLens.Tests.Web.Api;

/// <summary>Per-run settings in POST /api/runs, checked with RunSettings' ranges, and the configured defaults checked at start.</summary>
[Collection(AppCollection.Name)]
public sealed class RunSettingsApiTests : IAsyncLifetime
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
    public async Task Out_of_range_settings_are_a_400_naming_each_field()
    {
        using var client = app.CreateApiClient();
        var settings = new { tcpSeconds = 1000, repeats = 0, pingCount = 5000, udpTargetMbps = 50 };
        using var response = await client.PostAsJsonAsync("/api/runs", new { nodeId, protocols = new[] { "wireguard" }, email = "ops@example.com", settings }, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken)).GetProperty("errors");
        Assert.Equal(["settings.pingCount", "settings.repeats", "settings.tcpSeconds"], errors.EnumerateObject().Select(e => e.Name).Order());
        Assert.Equal("The field settings.repeats must be between 1 and 20.", errors.GetProperty("settings.repeats")[0].GetString());
        Assert.Equal(0, await app.WithDbAsync(db => db.Runs.CountAsync()));
    }

    [Fact]
    public async Task Max_repeats_below_repeats_is_named()
    {
        using var client = app.CreateApiClient();
        using var response = await client.PostAsJsonAsync("/api/runs", new { nodeId, protocols = new[] { "wireguard" }, email = "ops@example.com", settings = new { repeats = 5, maxRepeats = 3 } }, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken)).GetProperty("errors");
        Assert.Equal("settings.maxRepeats must be at least settings.repeats (5).", errors.GetProperty("settings.maxRepeats")[0].GetString());
    }

    [Fact]
    public async Task Chosen_settings_are_the_runs_and_the_rest_are_the_defaults()
    {
        using var client = app.CreateApiClient();
        using var response = await client.PostAsJsonAsync("/api/runs", new { nodeId, protocols = new[] { "wireguard" }, email = "ops@example.com", settings = new { tcpSeconds = 30, repeats = 5, maxRepeats = 8 } }, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var id = (await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken)).GetProperty("id").GetGuid();
        var run = await app.WithDbAsync(db => db.Runs.SingleAsync(r => r.Id == id));
        Assert.Equal((30, 5, 8, 10, 100, 20), (run.Settings.TcpSeconds, run.Settings.Repeats, run.Settings.MaxRepeats, run.Settings.UdpSeconds, run.Settings.UdpTargetMbps, run.Settings.PingCount));
        // Eight repetitions of 31 s each way cannot fit the ten-minute default: the deadline grows with the settings.
        Assert.True(run.Timeout > TimeSpan.FromMinutes(10), $"timeout {run.Timeout}");
    }

    [Theory]
    [InlineData("Runs:Settings:Repeats", "0", "Runs:Settings:Repeats")]
    [InlineData("Runs:Settings:TcpSeconds", "301", "Runs:Settings:TcpSeconds")]
    [InlineData("Runs:Settings:MaxRepeats", "2", "Runs:Settings:MaxRepeats must be at least Runs:Settings:Repeats")]
    public async Task Configured_settings_out_of_range_stop_the_app_at_start(string key, string value, string named)
    {
        await using var misconfigured = new VpnLensApp(new Dictionary<string, string?> { [key] = value });

        var error = Assert.Throws<OptionsValidationException>(() => misconfigured.CreateClient());

        Assert.Contains(named, error.Message, StringComparison.Ordinal);
    }
}
