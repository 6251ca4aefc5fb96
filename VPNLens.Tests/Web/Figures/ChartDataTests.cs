using System.Text.Json;
using VPNLens.Tests.Infrastructure;
using VPNLens.Web.Figures;

namespace VPNLens.Tests.Web.Figures;

public sealed class ChartDataTests
{
    private static readonly JsonElement Protocols = JsonDocument.Parse(Fixtures.FourProtocols()).RootElement.GetProperty("protocols");

    [Fact]
    public void Bars_are_the_median_of_the_repetitions_with_whiskers_at_the_lowest_and_highest()
    {
        var bars = ChartData.ThroughputBars(ResultsView.From(Fixtures.FourProtocols())!);

        var repetitions = Mbps(Protocols[1].GetProperty("tcpUpload"));
        var upload = bars.Series.Single(s => s.Name == "Upload");
        Assert.Equal("WireGuard", bars.Labels[0]);
        Assert.Equal(Math.Round(repetitions.Order().ElementAt(repetitions.Count / 2), 1), upload.Values[0]);
        Assert.Equal(Math.Round(repetitions.Min(), 1), upload.Low[0]);
        Assert.Equal(Math.Round(repetitions.Max(), 1), upload.High[0]);
        Assert.True(upload.Low[0] < upload.Values[0] && upload.Values[0] < upload.High[0]);
    }

    [Fact]
    public void Direct_is_a_labelled_reference_line_not_a_bar()
    {
        var bars = ChartData.ThroughputBars(ResultsView.From(Fixtures.FourProtocols())!);

        Assert.DoesNotContain(bars.Labels, l => l.StartsWith("Direct", StringComparison.Ordinal));
        var directUpload = Mbps(Protocols[0].GetProperty("tcpUpload")).Order().ToList();
        var reference = bars.References.Single(r => r.Color == ChartData.UploadColor);
        Assert.Equal(Math.Round(directUpload[directUpload.Count / 2], 1), reference.Value);
        Assert.StartsWith("direct upload: ", reference.Label, StringComparison.Ordinal);
    }

    [Fact]
    public void A_failed_tunnel_without_figures_has_no_bar_and_no_whiskers()
    {
        var bars = ChartData.ThroughputBars(ResultsView.From(Fixtures.FourProtocols())!);

        var failed = bars.Labels.ToList().FindIndex(l => l.EndsWith("(failed)", StringComparison.Ordinal));
        Assert.True(failed >= 0);
        Assert.All(bars.Series, s => Assert.Null(s.Values[failed]));
        Assert.All(bars.Series, s => Assert.Null(s.High[failed]));
    }

    [Fact]
    public void Every_throughput_over_time_panel_shares_one_y_axis_above_the_highest_second_of_any()
    {
        var panels = ChartData.ThroughputOverTime(ResultsView.From(Fixtures.FourProtocols())!);

        var highest = panels.SelectMany(p => p.Chart.Series).SelectMany(s => s.Points).Max(p => p.Y);
        var yMax = Assert.Single(panels.Select(p => p.Chart.YMax).Distinct());
        Assert.NotNull(yMax);
        Assert.InRange(yMax.Value, highest, highest * 2.5);
        Assert.Equal(ChartData.RoundUp(highest), yMax);
    }

    [Theory]
    [InlineData(941.2, 1000)]
    [InlineData(1000, 1000)]
    [InlineData(1001, 2000)]
    [InlineData(180, 200)]
    [InlineData(230, 250)]
    [InlineData(0.7, 1)]
    [InlineData(0, 1)]
    public void The_shared_axis_ends_at_a_round_number(double highest, double expected) =>
        Assert.Equal(expected, ChartData.RoundUp(highest), 9);

    [Fact]
    public void A_cdf_gives_each_sorted_sample_the_share_at_or_below_it()
    {
        var points = ChartData.Cdf([3.0, 1.0, 2.0, 4.0]);

        Assert.Equal([new(1, 0.25), new(2, 0.5), new(3, 0.75), new(4, 1)], points);
    }

    [Fact]
    public void The_latency_cdfs_are_per_protocol_idle_and_under_load()
    {
        var view = ResultsView.From(Fixtures.FourProtocols())!;

        var idle = ChartData.LatencyCdf(view, underLoad: false)!;
        var loaded = ChartData.LatencyCdf(view, underLoad: true)!;

        var wireguardIdle = idle.Series.Single(s => s.Name == "WireGuard");
        Assert.Equal(Protocols[1].GetProperty("latencyIdle").GetProperty("rttMs").GetArrayLength(), wireguardIdle.Points.Count);
        Assert.Equal(0.41, wireguardIdle.Points[0].X);
        Assert.Equal(1, wireguardIdle.Points[^1].Y);
        Assert.Equal(3.2, loaded.Series.Single(s => s.Name == "WireGuard").Points[0].X);
        Assert.True(idle.Stepped);
    }

    private static List<double> Mbps(JsonElement samples) =>
        [.. samples.EnumerateArray().Select(s => s.GetProperty("bitsPerSecond").GetDouble() / 1e6)];
}
