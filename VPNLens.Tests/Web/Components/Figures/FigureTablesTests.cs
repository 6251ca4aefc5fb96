using AngleSharp.Dom;
using Bunit;
using VPNLens.Tests.Infrastructure;
using VPNLens.Web.Components.Figures;
using VPNLens.Web.Figures;

namespace VPNLens.Tests.Web.Components.Figures;

/// <summary>The figures come from the fixture's raw samples; the expected strings were worked out by hand from them.</summary>
public sealed class FigureTablesTests : MudTestContext
{
    private readonly ResultsView results = ResultsView.From(Fixtures.FourProtocols())!;

    [Fact]
    public void Throughput_shows_the_median_its_spread_and_its_share_of_direct()
    {
        var tables = Render<FigureTables>(p => p.Add(x => x.View, results));

        var upload = Cell(tables, "tcp_upload", "wireguard");
        Assert.Equal("812 Mbit/s", Part(upload, "value"));
        Assert.Equal("± 1.2 % · n=5 · 798 Mbit/s – 825 Mbit/s", Part(upload, "spread"));
        Assert.Equal("86.4 % of direct", Part(upload, "share"));
        Assert.Equal("791 Mbit/s", Part(Cell(tables, "tcp_download", "wireguard"), "value"));
        Assert.Equal("64.1 % of direct", Part(Cell(tables, "tcp_upload", "nebula"), "share"));
    }

    [Fact]
    public void The_direct_baseline_is_a_row_of_its_own_without_a_share()
    {
        var tables = Render<FigureTables>(p => p.Add(x => x.View, results));

        var upload = Cell(tables, "tcp_upload", "direct");
        Assert.Equal("940 Mbit/s", Part(upload, "value"));
        Assert.Empty(upload.QuerySelectorAll("[data-testid=share]"));
    }

    [Fact]
    public void Latency_percentiles_show_idle_and_loaded_side_by_side()
    {
        var tables = Render<FigureTables>(p => p.Add(x => x.View, results));

        Assert.Equal("0.600 ms", Part(Cell(tables, "latency_idle_p50", "wireguard"), "value"));
        Assert.Equal("0.771 ms", Part(Cell(tables, "latency_idle_p95", "wireguard"), "value"));
        Assert.Equal("5.00 ms", Part(Cell(tables, "latency_loaded_p50", "wireguard"), "value"));
        Assert.Equal("+0.305 ms over direct", Part(Cell(tables, "latency_idle_p50", "wireguard"), "share"));
        var headers = tables.Find("[data-group=Latency] thead").TextContent;
        Assert.True(headers.IndexOf("Idle p99", StringComparison.Ordinal) < headers.IndexOf("Loaded p50", StringComparison.Ordinal));
    }

    [Fact]
    public void Udp_and_cpu_figures_come_from_their_samples()
    {
        var tables = Render<FigureTables>(p => p.Add(x => x.View, results));

        Assert.Equal("0.0210 ms", Part(Cell(tables, "udp_jitter", "wireguard"), "value"));
        Assert.Equal("0.00350 %", Part(Cell(tables, "udp_loss", "wireguard"), "value"));
        Assert.Equal("2.59 CPU-s/GB", Part(Cell(tables, "cpu_system_per_gb", "wireguard"), "value"));
        Assert.Equal("4.29 CPU-s/GB", Part(Cell(tables, "cpu_daemon_per_gb", "nebula"), "value"));
        Assert.Equal(FigureFormat.None, Part(Cell(tables, "cpu_daemon_per_gb", "wireguard"), "value"));
        Assert.Equal("1.45 s", Part(Cell(tables, "recovery", "wireguard"), "value"));
    }

    [Fact]
    public void A_failed_protocol_says_where_it_failed_and_shows_no_figures()
    {
        var tables = Render<FigureTables>(p => p.Add(x => x.View, results));

        var row = tables.Find("[data-group=Throughput] tr[data-protocol=tailscale]");
        Assert.Contains("failed at Ladder 4: ping", row.TextContent, StringComparison.Ordinal);
        Assert.Equal(FigureFormat.None, Part(Cell(tables, "tcp_upload", "tailscale"), "value"));
    }

    [Fact]
    public void Headline_cards_and_environment_show_the_node_and_each_tunnel()
    {
        var cards = Render<HeadlineCards>(p => p.Add(x => x.View, results));
        var environment = Render<RunEnvironment>(p => p.Add(x => x.View, results).Add(x => x.NodeName, "node1"));

        var wireguard = cards.Find("[data-testid=headline][data-protocol=wireguard]");
        Assert.Equal("812 Mbit/s", wireguard.QuerySelector("[data-metric=tcp_upload]")!.TextContent);
        Assert.Contains("86.4 % of direct", wireguard.TextContent, StringComparison.Ordinal);
        Assert.Equal("6.1.0-18-amd64", environment.Find("[data-testid=environment] [data-key=kernel]").TextContent);
        Assert.Equal("cubic", environment.Find("[data-testid=environment] [data-key=congestionControl]").TextContent);
        Assert.Contains("rx-udp-gro-forwarding: off", environment.Find("[data-testid=environment]").TextContent, StringComparison.Ordinal);
        Assert.Contains("1420", environment.Find("[data-testid=tunnels] tr[data-protocol=wireguard]").TextContent, StringComparison.Ordinal);
        Assert.Equal("1420", environment.Find("[data-testid=tunnels] tr[data-protocol=wireguard] [data-key=pathMtu]").TextContent);
        Assert.Equal("3", environment.Find("[data-testid=settings] [data-key=repeats]").TextContent);
    }

    private static IElement Cell(IRenderedComponent<FigureTables> tables, string metric, string protocol) =>
        tables.Find($"td[data-metric={metric}][data-protocol={protocol}]");

    private static string? Part(IElement cell, string part) => cell.QuerySelector($"[data-testid={part}]")?.TextContent;
}
