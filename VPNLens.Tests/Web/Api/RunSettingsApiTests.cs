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
    [InlineData(5)]
    [InlineData(0)]
    [InlineData(46)]
    public async Task An_ip_version_other_than_4_or_6_is_a_400_naming_the_field(int ipVersion)
    {
        using var client = app.CreateApiClient();
        using var response = await client.PostAsJsonAsync("/api/runs", new { nodeId, protocols = new[] { "wireguard" }, email = "ops@example.com", settings = new { ipVersion } }, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken)).GetProperty("errors");
        Assert.Equal(["settings.ipVersion"], errors.EnumerateObject().Select(e => e.Name));
        Assert.Equal("settings.ipVersion must be 4 or 6.", errors.GetProperty("settings.ipVersion")[0].GetString());
        Assert.Equal(0, await app.WithDbAsync(db => db.Runs.CountAsync()));
    }

    [Fact]
    public async Task Ip_version_6_is_the_runs_and_goes_to_the_node_while_4_stays_the_default()
    {
        using var client = app.CreateApiClient();
        using var six = await client.PostAsJsonAsync("/api/runs", new { nodeId, protocols = new[] { "wireguard" }, email = "ops@example.com", settings = new { ipVersion = 6 } }, TestContext.Current.CancellationToken);
        using var plain = await client.PostAsJsonAsync("/api/runs", new { nodeId, protocols = new[] { "wireguard" }, email = "ops@example.com" }, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Accepted, six.StatusCode);
        var id = (await six.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken)).GetProperty("id").GetGuid();
        var run = await app.WithDbAsync(db => db.Runs.SingleAsync(r => r.Id == id));
        Assert.Equal(6, run.Settings.IpVersion);
        var sent = JsonDocument.Parse(global::VPNLens.Core.Runs.RunParameters.For(run, new Uri("http://198.18.0.1:5080/")).ToJson());
        Assert.Equal(6, sent.RootElement.GetProperty("settings").GetProperty("ipVersion").GetInt32());
        Assert.Equal(HttpStatusCode.Accepted, plain.StatusCode);
        Assert.Equal(1, await app.WithDbAsync(db => db.Runs.CountAsync(r => r.Id != id)));
        Assert.Equal(4, (await app.WithDbAsync(db => db.Runs.SingleAsync(r => r.Id != id))).Settings.IpVersion);
    }

    [Fact]
    public async Task Ip_version_6_on_a_node_whose_last_probe_found_no_ipv6_is_a_400_saying_why()
    {
        await app.WithDbAsync(async db =>
        {
            var node = await db.Nodes.SingleAsync(n => n.Id == nodeId);
            node.ProbedTools = ["bash", "curl", "jq", "openssl", "iperf3", "ping", "ip", "wg", "wg-quick"];
            node.ProbedAt = new DateTimeOffset(2026, 12, 1, 10, 0, 0, TimeSpan.Zero);
            node.ProbedIpv6 = false;
            await db.SaveChangesAsync();
        });
        using var client = app.CreateApiClient();
        using var six = await client.PostAsJsonAsync("/api/runs", new { nodeId, protocols = new[] { "wireguard" }, email = "ops@example.com", settings = new { ipVersion = 6 } }, TestContext.Current.CancellationToken);
        using var four = await client.PostAsJsonAsync("/api/runs", new { nodeId, protocols = new[] { "wireguard" }, email = "ops@example.com", settings = new { ipVersion = 4 } }, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.BadRequest, six.StatusCode);
        var errors = (await six.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken)).GetProperty("errors");
        Assert.Equal(["settings.ipVersion"], errors.EnumerateObject().Select(e => e.Name));
        Assert.Equal(
            "settings.ipVersion is 6 but the node's last probe (2026-12-01 10:00:00Z) found IPv6 off on it (no /proc/net/if_inet6, or net.ipv6.conf.all.disable_ipv6 set); turn IPv6 on and probe it again, or run over IPv4.",
            errors.GetProperty("settings.ipVersion")[0].GetString());
        Assert.Equal(HttpStatusCode.Accepted, four.StatusCode);
    }

    [Theory]
    [InlineData("Runs:Settings:Repeats", "0", "Runs:Settings:Repeats")]
    [InlineData("Runs:Settings:IpVersion", "5", "Runs:Settings:IpVersion must be 4 or 6")]
    [InlineData("Runs:Settings:TcpSeconds", "301", "Runs:Settings:TcpSeconds")]
    [InlineData("Runs:Settings:MaxRepeats", "2", "Runs:Settings:MaxRepeats must be at least Runs:Settings:Repeats")]
    public async Task Configured_settings_out_of_range_stop_the_app_at_start(string key, string value, string named)
    {
        await using var misconfigured = new VpnLensApp(new Dictionary<string, string?> { [key] = value });

        var error = Assert.Throws<OptionsValidationException>(() => misconfigured.CreateClient());

        Assert.Contains(named, error.Message, StringComparison.Ordinal);
    }
}
