using System.Net;
using System.Text;
using System.Text.Json;
using VPNLens.Core.Runs;
using VPNLens.Tests.Infrastructure;
using VPNLens.Web.Figures;

namespace VPNLens.Tests.Web.Figures;

/// <summary>The permalink's downloads work signed out: the run, its verdict and the node's body as JSON, the figures as long CSV.</summary>
[Collection(AppCollection.Name)]
public sealed class ResultsDownloadsTests : IAsyncLifetime
{
    private readonly VpnLensApp app = new(configureServices: VpnLensApp.WithoutDispatch);
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
        finished.Settings = new RunSettings { IpVersion = 6 };
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
    public async Task The_json_carries_schema_run_node_times_verdict_and_the_body_the_node_posted()
    {
        using var response = await client.GetAsync(new Uri($"/r/{finished.PublicToken}/results.json", UriKind.Relative), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal("vpnlens-node-1-20261125-0830.json", response.Content.Headers.ContentDisposition!.FileName);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        var root = json.RootElement;
        Assert.Equal(1, root.GetProperty("schemaVersion").GetInt32());
        Assert.Equal(finished.Id, root.GetProperty("runId").GetGuid());
        Assert.Equal("node 1", root.GetProperty("node").GetProperty("name").GetString());
        Assert.Equal(finished.FinishedAt, root.GetProperty("finishedAt").GetDateTimeOffset());
        Assert.Equal(6, root.GetProperty("settings").GetProperty("ipVersion").GetInt32());
        var upload = root.GetProperty("verdict").GetProperty("metrics").EnumerateArray().Single(m => m.GetProperty("metric").GetString() == "tcp_upload");
        Assert.Equal(["wireguard", "nebula"], upload.GetProperty("ranking").EnumerateArray().Select(r => r.GetProperty("protocol").GetString()));
        Assert.Equal("different", upload.GetProperty("gaps")[0].GetProperty("call").GetString());
        Assert.False(root.GetProperty("verdict").GetProperty("noisy").GetBoolean());
        using var posted = JsonDocument.Parse(Fixtures.FourProtocols());
        Assert.True(JsonElement.DeepEquals(posted.RootElement, root.GetProperty("results")));
    }

    [Fact]
    public async Task The_csv_is_long_one_row_per_protocol_and_figure()
    {
        using var response = await client.GetAsync(new Uri($"/r/{finished.PublicToken}/results.csv", UriKind.Relative), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv", response.Content.Headers.ContentType!.MediaType);
        var lines = (await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        var header = lines[0].Split(',');
        Assert.Equal(ResultsCsv.Headers, header);
        var rows = lines.Skip(1).Select(l => header.Zip(SplitCsv(l)).ToDictionary(p => p.First, p => p.Second)).ToList();
        Assert.All(rows, r => Assert.Equal((finished.Id.ToString(), "node 1", "2026-11-25T08:30:00Z", "6"), (r["run_id"], r["node"], r["finished_at"], r["ip_version"])));
        var upload = rows.Single(r => r["protocol"] == "wireguard" && r["metric"] == "tcp_upload");
        Assert.Equal(("bit/s", "812300000", "798100000", "825000000", "5"), (upload["unit"], upload["median"], upload["min"], upload["max"], upload["n"]));
        Assert.StartsWith("0.8641489361", upload["share_of_direct"], StringComparison.Ordinal);
        Assert.StartsWith("1 of 2: WireGuard ", upload["verdict"], StringComparison.Ordinal);
        Assert.Equal("0.6", rows.Single(r => r["protocol"] == "wireguard" && r["metric"] == "latency_idle_p50")["median"]);
        Assert.Equal(string.Empty, rows.Single(r => r["protocol"] == "direct" && r["metric"] == "tcp_upload")["share_of_direct"]);
        var pathMtu = Assert.Single(rows, r => r["metric"] == "path_mtu");
        Assert.Equal(("wireguard", "bytes", "1420"), (pathMtu["protocol"], pathMtu["unit"], pathMtu["median"]));
        var failed = Assert.Single(rows, r => r["protocol"] == "tailscale");
        Assert.Equal("status", failed["metric"]);
        Assert.StartsWith("failed at rung_ping: ", failed["verdict"], StringComparison.Ordinal);
    }

    // Fields with commas are quoted (the verdict's sentences); none of the fixture's contain quotes.
    private static List<string> SplitCsv(string line)
    {
        var fields = new List<string>();
        var field = new StringBuilder();
        var quoted = false;
        foreach (var c in line)
        {
            if (c == '"')
            {
                quoted = !quoted;
            }
            else if (c == ',' && !quoted)
            {
                fields.Add(field.ToString());
                field.Clear();
            }
            else
            {
                field.Append(c);
            }
        }

        fields.Add(field.ToString());
        return fields;
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
