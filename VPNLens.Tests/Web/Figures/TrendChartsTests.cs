using VPNLens.Core.Regressions;
using VPNLens.Web.Figures;
using VPNLens.Web.History;

namespace VPNLens.Tests.Web.Figures;

public sealed class TrendChartsTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 1, 8, 0, 0, TimeSpan.Zero);

    [Fact]
    public void The_band_follows_each_level_between_change_points_and_failed_runs_are_marked_not_drawn()
    {
        var points = new List<HistoryPoint>
        {
            Point(0, 100), Point(1, 102), Point(2, 98), Point(3, null), Point(4, 60), Point(5, 62), Point(6, 58),
        };
        var history = new HistoryDto(Guid.NewGuid(), "wireguard", "tcp_download", "bps", true, points, [new HistoryChangePoint(At(4), 100e6, 60e6, -45e6, -35e6, 0.005)]);

        var chart = TrendCharts.Trend(TrackedMetric.TcpDownload, [history]);

        var series = Assert.Single(chart.Series);
        Assert.Equal([100, 102, 98, 60, 62, 58], series.Points.Select(p => p.Y));
        Assert.Equal([At(3).ToUnixTimeMilliseconds()], series.Failed);
        Assert.Equal([At(4).ToUnixTimeMilliseconds()], series.Changes);
        Assert.Equal([98, 98, 98, 58, 58, 58], series.Low.Select(p => p.Y));
        Assert.Equal([102, 102, 102, 62, 62, 62], series.High.Select(p => p.Y));
        Assert.Equal(("Mbit/s", 200.0), (chart.Unit, chart.YMax));
    }

    [Fact]
    public void Every_protocol_shares_the_y_axis_of_the_highest()
    {
        var slow = new HistoryDto(Guid.NewGuid(), "nebula", "tcp_download", "bps", true, [Point(0, 40), Point(1, 42)], []);
        var fast = new HistoryDto(Guid.NewGuid(), "direct", "tcp_download", "bps", true, [Point(0, 930), Point(1, 940)], []);

        var chart = TrendCharts.Trend(TrackedMetric.TcpDownload, [slow, fast]);

        Assert.Equal(1000, chart.YMax);
        Assert.Equal(["Nebula", "Direct (no VPN)"], chart.Series.Select(s => s.Name));
    }

    private static DateTimeOffset At(int day) => Start.AddDays(day);

    private static HistoryPoint Point(int day, double? mbps) => new(Guid.NewGuid(), At(day), mbps is null ? "Failed" : "Succeeded", mbps * 1e6);
}
