using System.Net;
using System.Text;
using VPNLens.Core.Runs;
using VPNLens.Tests.Infrastructure;
using VPNLens.Web.Figures;

namespace VPNLens.Tests.Web.Figures;

/// <summary>The permalink's downloads work signed out: the raw body as the node posted it, and the figures as CSV.</summary>
[Collection(AppCollection.Name)]
public sealed class ResultsDownloadsTests : IAsyncLifetime
{
    private readonly VpnLensApp app = new();
    private HttpClient client = null!;
    private Run finished = null!;
    private Run queued = null!;

    public async ValueTask InitializeAsync()
    {
        client = app.CreateClient();
        var node = Seed.Node("node 1");
        finished = Seed.Run(node.Id, RunState.Succeeded, protocols: ["wireguard", "tailscale", "nebula"]);
        finished.ResultsJson = Fixtures.FourProtocols();
        finished.FinishedAt = new DateTimeOffset(2026, 11, 25, 8, 30, 0, TimeSpan.Zero);
        queued = Seed.Run(node.Id, RunState.Queued);
        await app.WithDbAsync(async db =>
        {
            db.AddRange(node, finished, queued);
            await db.SaveChangesAsync();
        });
    }

    public async ValueTask DisposeAsync()
    {
        client.Dispose();
        await app.DisposeAsync();
    }

    [Fact]
    public async Task The_json_is_the_body_the_node_posted_byte_for_byte()
    {
        using var response = await client.GetAsync(new Uri($"/r/{finished.PublicToken}/results.json", UriKind.Relative), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal("vpnlens-node-1-20261125-0830.json", response.Content.Headers.ContentDisposition!.FileName);
        Assert.Equal(Encoding.UTF8.GetBytes(Fixtures.FourProtocols()), await response.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task The_csv_has_a_row_per_protocol_with_figures_spread_and_share_of_direct()
    {
        using var response = await client.GetAsync(new Uri($"/r/{finished.PublicToken}/results.csv", UriKind.Relative), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv", response.Content.Headers.ContentType!.MediaType);
        var lines = (await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(5, lines.Length);
        var header = lines[0].Split(',');
        Assert.Equal(ResultsCsv.Headers(), header);
        var rows = lines.Skip(1).Select(l => header.Zip(l.Split(',')).ToDictionary(p => p.First, p => p.Second)).ToDictionary(r => r["protocol"]);
        Assert.Equal(["direct", "wireguard", "tailscale", "nebula"], rows.Keys);
        Assert.Equal("812300000", rows["wireguard"]["tcp_upload_bps"]);
        Assert.Equal("798100000", rows["wireguard"]["tcp_upload_bps_min"]);
        Assert.Equal("3", rows["wireguard"]["tcp_upload_bps_n"]);
        Assert.StartsWith("0.8641489361", rows["wireguard"]["tcp_upload_share_of_direct"], StringComparison.Ordinal);
        Assert.Equal("0.6", rows["wireguard"]["latency_idle_p50_ms"]);
        Assert.Equal(("1400000000", "600000000", "500000000"), (rows["wireguard"]["tcp_parallel_upload_bps"], rows["wireguard"]["tcp_bidir_upload_bps"], rows["wireguard"]["tcp_bidir_download_bps"]));
        Assert.Equal(string.Empty, rows["direct"]["tcp_upload_share_of_direct"]);
        Assert.Equal(("failed", "rung_ping", string.Empty), (rows["tailscale"]["status"], rows["tailscale"]["error_phase"], rows["tailscale"]["tcp_upload_bps"]));
    }

    [Fact]
    public async Task A_run_without_results_yet_and_an_unknown_token_are_404s_that_say_which()
    {
        using var notYet = await client.GetAsync(new Uri($"/r/{queued.PublicToken}/results.csv", UriKind.Relative), TestContext.Current.CancellationToken);
        using var unknown = await client.GetAsync(new Uri("/r/not-a-token/results.json", UriKind.Relative), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.NotFound, notYet.StatusCode);
        Assert.Contains("No results yet", await notYet.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Contains("Unknown run", await unknown.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
    }
}
