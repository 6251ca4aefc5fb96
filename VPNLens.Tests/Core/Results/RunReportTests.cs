using VPNLens.Core.Results;

namespace VPNLens.Tests.Core.Results;

public sealed class RunReportTests
{
    private static RunReport Report() => RunReport.From(ResultsParser.Parse(ResultsParserTests.Fixture()).Value!);

    [Fact]
    public void Throughput_is_the_median_of_repetitions_with_its_spread()
    {
        var wireguard = Report().Protocols.Single(p => p.Protocol == "wireguard");
        Assert.Equal(900e6, wireguard.UploadBitsPerSecond!.Median);
        Assert.Equal(800e6, wireguard.UploadBitsPerSecond.Min);
        Assert.Equal(1000e6, wireguard.UploadBitsPerSecond.Max);
        Assert.Equal(3, wireguard.UploadBitsPerSecond.Count);
        Assert.Equal(700e6, wireguard.DownloadBitsPerSecond!.Median);
    }

    [Fact]
    public void Figures_are_shown_as_a_share_of_the_direct_baseline()
    {
        var report = Report();
        var wireguard = report.Protocols.Single(p => p.Protocol == "wireguard");
        Assert.Equal("direct", report.Baseline!.Protocol);
        Assert.Equal(900e6 / 20e9, report.UploadShareOfBaseline(wireguard)!.Value, 9);
        Assert.Equal(700e6 / 19e9, report.DownloadShareOfBaseline(wireguard)!.Value, 9);
        Assert.Equal(["wireguard", "nebula"], report.Tunnels.Select(t => t.Protocol));
    }

    [Fact]
    public void Udp_loss_is_computed_from_packets_when_the_node_omits_the_percent()
    {
        var wireguard = Report().Protocols.Single(p => p.Protocol == "wireguard");
        Assert.Equal(0.15, wireguard.UdpLossPercent!.Median, 9); // median of 0.1 (17/17000) and 0.2
        Assert.Equal(0.06, wireguard.UdpJitterMs!.Median, 9);
    }

    [Fact]
    public void Cpu_cost_is_seconds_per_gigabyte_moved()
    {
        var report = Report();
        var wireguard = report.Protocols.Single(p => p.Protocol == "wireguard");
        Assert.Equal(2.0, wireguard.DaemonCpuSecondsPerGigabyte!.Value, 9);
        Assert.Equal(4.0, wireguard.SystemCpuSecondsPerGigabyte!.Value, 9);
        Assert.Null(report.Baseline!.DaemonCpuSecondsPerGigabyte);
        Assert.Equal(46, wireguard.CpuLocalPercent); // median over upload (45, 47, 49) and download (40)
    }

    [Fact]
    public void Loaded_latency_shows_the_bufferbloat_the_tunnel_adds()
    {
        var wireguard = Report().Protocols.Single(p => p.Protocol == "wireguard");
        Assert.Equal(0.5, wireguard.LatencyIdle!.P50Ms);
        Assert.Equal(4.5, wireguard.LatencyLoaded!.P50Ms);
        Assert.Equal(4.0, wireguard.LoadedLatencyIncreaseMs!.Value, 9);
        Assert.Equal(20, wireguard.LatencyLoaded.LossPercent);
    }

    [Fact]
    public void A_failed_protocol_keeps_its_error_and_partial_figures()
    {
        var nebula = Report().Protocols.Single(p => p.Protocol == "nebula");
        Assert.False(nebula.Succeeded);
        Assert.Equal("rung_ping", nebula.Error!.Phase);
        Assert.Null(nebula.UploadBitsPerSecond);
        Assert.Equal(3, nebula.Ladder.Count);
    }
}
