using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using VPNLens.Core.Regressions;
using VPNLens.Core.Results;
using VPNLens.Core.Runs;
using VPNLens.Tests.Infrastructure;
using VPNLens.Web.ApiTokens;
using VPNLens.Web.Persistence;

namespace VPNLens.Tests.Web.Monitoring;

/// <summary>/metrics on the real app, read by Prometheus's own parser and linter (promtool, from Debian's prometheus package).</summary>
[Collection(AppCollection.Name)]
public sealed partial class MetricsEndpointTests : IAsyncLifetime
{
    private const string Promtool = "/usr/bin/promtool";

    private static readonly DateTimeOffset Now = DateTimeOffset.UtcNow;

    private readonly VpnLensApp app = new();

    public async ValueTask InitializeAsync() => await SeedAsync(app);

    public ValueTask DisposeAsync() => app.DisposeAsync();

    [Fact]
    public async Task The_exposition_passes_promtool_and_reports_the_seeded_figures()
    {
        Assert.True(File.Exists(Promtool), $"{Promtool} is missing: the test command installs Debian's prometheus package (dev/common.sh).");
        using var client = app.CreateApiClient();

        using var response = await client.GetAsync("/metrics", TestContext.Current.CancellationToken);
        var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await ProcessRunner.RunWithInputAsync(Promtool, body, null, "check", "metrics");
        var samples = Parse(body);
        // The failed run that came last does not hide the latest figures: they come from the latest successful result.
        Assert.Equal(20_000_000, samples["vpnlens_latest_tcp_upload_bytes_per_second{node=\"alpha\",protocol=\"wireguard\"}"]);
        Assert.Equal(25_000_000, samples["vpnlens_latest_tcp_download_bytes_per_second{node=\"alpha\",protocol=\"wireguard\"}"]);
        Assert.Equal(0.012, samples["vpnlens_latest_idle_latency_p50_seconds{node=\"alpha\",protocol=\"wireguard\"}"], 9);
        Assert.Equal(0.005, samples["vpnlens_latest_udp_loss_ratio{node=\"alpha\",protocol=\"wireguard\"}"], 9);
        Assert.Equal(5_000_000, samples["vpnlens_latest_tcp_upload_bytes_per_second{node=\"alpha\",protocol=\"nebula\"}"]);
        Assert.Equal(Math.Floor((Now - TimeSpan.FromHours(1)).ToUnixTimeMilliseconds() / 1000.0), Math.Floor(samples["vpnlens_latest_result_timestamp_seconds{node=\"alpha\",protocol=\"wireguard\"}"]));
        Assert.DoesNotContain(samples.Keys, k => k.Contains("node=\"beta\",protocol=", StringComparison.Ordinal));
        Assert.Equal(2, samples["vpnlens_runs_finished_total{state=\"succeeded\"}"]);
        Assert.Equal(1, samples["vpnlens_runs_finished_total{state=\"failed\"}"]);
        Assert.Equal(1, samples["vpnlens_runs_finished_total{state=\"timed_out\"}"]);
        Assert.Equal(0, samples["vpnlens_runs_finished_total{state=\"cancelled\"}"]);
        Assert.Equal(1, samples["vpnlens_queue_length"]);
        Assert.Equal(1, samples["vpnlens_runs_running"]);
        Assert.Equal(1, samples["vpnlens_alerts_open{node=\"alpha\",kind=\"regression\"}"]);
        Assert.Equal(0, samples["vpnlens_alerts_open{node=\"alpha\",kind=\"run_failed\"}"]);
        Assert.Equal(1, samples["vpnlens_alerts_open{node=\"beta\",kind=\"run_failed\"}"]);
    }

    [Fact]
    public async Task A_new_result_is_in_the_next_scrape()
    {
        using var client = app.CreateApiClient();
        await client.GetStringAsync("/metrics", TestContext.Current.CancellationToken);
        await app.WithDbAsync(async db =>
        {
            var node = db.Nodes.Single(n => n.Name == "alpha");
            AddRun(db, node.Id, RunState.Succeeded, Now, ("wireguard", 400_000_000));
            await db.SaveChangesAsync();
        });

        var samples = Parse(await client.GetStringAsync("/metrics", TestContext.Current.CancellationToken));

        Assert.Equal(50_000_000, samples["vpnlens_latest_tcp_upload_bytes_per_second{node=\"alpha\",protocol=\"wireguard\"}"]);
        Assert.Equal(3, samples["vpnlens_runs_finished_total{state=\"succeeded\"}"]);
    }

    [Fact]
    public async Task Two_instances_on_one_PostgreSQL_database_report_the_same()
    {
        TestPostgres.RequireServer();
        var data = Directory.CreateTempSubdirectory("vpnlens-metrics-two-").FullName;
        try
        {
            await using var a = new VpnLensApp(dataDirectory: data, provider: DatabaseProvider.Postgres);
            await using var b = new VpnLensApp(dataDirectory: data, provider: DatabaseProvider.Postgres);
            await SeedAsync(a);
            using var clientA = a.CreateApiClient();
            using var clientB = b.CreateApiClient();

            var fromA = Parse(await clientA.GetStringAsync("/metrics", TestContext.Current.CancellationToken));
            var fromB = Parse(await clientB.GetStringAsync("/metrics", TestContext.Current.CancellationToken));

            Assert.Equal(20_000_000, fromB["vpnlens_latest_tcp_upload_bytes_per_second{node=\"alpha\",protocol=\"wireguard\"}"]);
            Assert.Equal(fromA.OrderBy(p => p.Key, StringComparer.Ordinal), fromB.OrderBy(p => p.Key, StringComparer.Ordinal));
        }
        finally
        {
            TestPostgres.DropDatabase(TestPostgres.DatabaseNameFor(data));
            Directory.Delete(data, recursive: true);
        }
    }

    [Fact]
    public async Task Only_a_metrics_or_admin_token_reads_the_metrics_and_a_metrics_token_reads_nothing_else()
    {
        var store = app.Services.GetRequiredService<ApiTokenStore>();
        var metrics = await store.CreateAsync("prometheus", ApiTokenScope.Metrics, TestContext.Current.CancellationToken);
        var runs = await store.CreateAsync("ci", ApiTokenScope.Runs, TestContext.Current.CancellationToken);
        using var anonymous = app.CreateClient();

        using var none = await anonymous.GetAsync("/metrics", TestContext.Current.CancellationToken);
        using var wrong = await Get("/metrics", "vlt_not-a-token");
        using var runsToken = await Get("/metrics", runs.Secret);
        using var metricsToken = await Get("/metrics", metrics.Secret);
        using var metricsTokenOnRuns = await Get("/api/runs", metrics.Secret);

        Assert.Equal(
            (HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.Forbidden, HttpStatusCode.OK, HttpStatusCode.Forbidden),
            (none.StatusCode, wrong.StatusCode, runsToken.StatusCode, metricsToken.StatusCode, metricsTokenOnRuns.StatusCode));
    }

    [Theory]
    [InlineData("127.0.0.0/8", HttpStatusCode.OK)]
    [InlineData("10.0.0.0/8", HttpStatusCode.Unauthorized)]
    public async Task A_request_from_an_allowed_network_needs_no_token(string network, HttpStatusCode expected)
    {
        var url = $"http://127.0.0.1:{Sshd.FreePort()}/";
        await using var listening = new VpnLensApp(new Dictionary<string, string?> { ["Metrics:AllowedNetworks:0"] = network }, kestrelUrl: url);
        listening.StartServer();
        using var client = new HttpClient { BaseAddress = new Uri(url) };

        using var response = await client.GetAsync("/metrics", TestContext.Current.CancellationToken);

        Assert.Equal(expected, response.StatusCode);
    }

    [Fact]
    public async Task A_bad_allowed_network_stops_the_app_at_start_naming_the_setting()
    {
        await using var misconfigured = new VpnLensApp(new Dictionary<string, string?>
        {
            ["Metrics:AllowedNetworks:0"] = "127.0.0.0/8",
            ["Metrics:AllowedNetworks:1"] = "10.0.0.0/33",
        });

        var error = Assert.Throws<OptionsValidationException>(() => misconfigured.CreateClient());

        Assert.Contains("Metrics:AllowedNetworks:1 \"10.0.0.0/33\" is not a CIDR network", error.Message, StringComparison.Ordinal);
    }

    private async Task<HttpResponseMessage> Get(string path, string token)
    {
        using var client = app.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await client.GetAsync(path, TestContext.Current.CancellationToken);
    }

    private static async Task SeedAsync(VpnLensApp app)
    {
        var alpha = Seed.Node("alpha");
        var beta = Seed.Node("beta", host: "127.0.0.2");
        await app.WithDbAsync(async db =>
        {
            db.Nodes.AddRange(alpha, beta);
            AddRun(db, alpha.Id, RunState.Succeeded, Now - TimeSpan.FromHours(2), ("wireguard", 80_000_000));
            var latest = AddRun(db, alpha.Id, RunState.Succeeded, Now - TimeSpan.FromHours(1), ("wireguard", 160_000_000), ("nebula", 40_000_000));
            AddRun(db, alpha.Id, RunState.Failed, Now - TimeSpan.FromMinutes(30), ("wireguard", null));
            AddRun(db, beta.Id, RunState.TimedOut, Now - TimeSpan.FromMinutes(20));
            // The running run holds beta's leases, so the queued run behind it stays queued.
            var running = Seed.Run(beta.Id, RunState.Running);
            db.Runs.AddRange(running, Seed.Run(beta.Id, RunState.Queued));
            db.RunLeases.AddRange(RunResources.Of(beta).Select(resource => new RunLease { Resource = resource, RunId = running.Id, TakenAt = Now, ExpiresAt = Now + TimeSpan.FromHours(1) }));
            db.Alerts.AddRange(
                new Alert { Kind = AlertKind.Regression, NodeId = alpha.Id, Protocol = "wireguard", Metric = "tcp_upload", OpenedAt = Now, OpenedByRunId = latest.Id },
                new Alert { Kind = AlertKind.Regression, NodeId = alpha.Id, Protocol = "nebula", Metric = "tcp_upload", OpenedAt = Now - TimeSpan.FromDays(2), RecoveredAt = Now - TimeSpan.FromDays(1), OpenedByRunId = latest.Id },
                new Alert { Kind = AlertKind.RunFailed, NodeId = beta.Id, OpenedAt = Now, OpenedByRunId = latest.Id, Reason = "timed out" });
            await db.SaveChangesAsync();
        });
    }

    /// <summary>A finished run with one result per protocol: its upload when given (and fixed other figures), a failure when null.</summary>
    private static Run AddRun(AppDbContext db, Guid nodeId, RunState state, DateTimeOffset finishedAt, params (string Protocol, double? Upload)[] results)
    {
        var run = Seed.Run(nodeId, state, protocols: results.Length == 0 ? ["wireguard"] : [.. results.Select(r => r.Protocol)]);
        run.FinishedAt = finishedAt;
        db.Runs.Add(run);
        foreach (var (protocol, upload) in results)
        {
            db.ProtocolResults.Add(new ProtocolResult
            {
                RunId = run.Id,
                Protocol = protocol,
                Succeeded = upload is not null,
                ErrorMessage = upload is null ? "iperf3 failed" : null,
                UploadMedianBitsPerSecond = upload,
                DownloadMedianBitsPerSecond = upload is null ? null : 200_000_000,
                LatencyIdleP50Ms = upload is null ? null : 12,
                UdpLossPercent = upload is null ? null : 0.5,
            });
        }

        return run;
    }

    /// <summary>Each sample line as "name{labels}" → value (promtool has already checked the format).</summary>
    private static Dictionary<string, double> Parse(string exposition) =>
        exposition.Split('\n')
            .Select(line => SampleLine().Match(line))
            .Where(match => match.Success)
            .ToDictionary(match => match.Groups["series"].Value, match => double.Parse(match.Groups["value"].Value, CultureInfo.InvariantCulture));

    [GeneratedRegex(@"^(?<series>[a-zA-Z_:][a-zA-Z0-9_:]*(\{[^}]*\})?) (?<value>\S+)$")]
    private static partial Regex SampleLine();
}
