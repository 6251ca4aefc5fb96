using MathNet.Numerics.Distributions;
using VPNLens.Core.Statistics;
using VPNLens.Core.Verdicts;

namespace VPNLens.Tests.Core.Verdicts;

public sealed class RunToRunSpreadTests
{
    private static readonly double[] SteadyBefore = [100, 101, 99, 100.5];
    private static readonly double[] TenPercentFaster = [110, 111, 109, 110.5];

    [Fact]
    public void The_spread_of_earlier_runs_medians_is_the_change_drift_alone_stays_under()
    {
        // log medians 4.605, 4.644, 4.564, 4.700, 4.500: s 0.0764; t(0.975, 4) × √2 × s = 2.776 × 1.414 × 0.0764 = 0.300 → e^0.300 − 1
        var spreads = RunToRunSpreads.From(History(100, 104, 96, 110, 90));

        var upload = Assert.Single(spreads, s => s.Protocol == "wireguard" && s.MetricKey == VerdictMetrics.TcpUpload.Key);
        Assert.Equal(ComparisonScale.Ratio, upload.Scale);
        Assert.Equal(5, upload.Runs);
        Assert.Equal(35.00, upload.Floor, 2);
    }

    [Fact]
    public void Fewer_than_five_earlier_runs_give_no_spread()
    {
        Assert.DoesNotContain(RunToRunSpreads.From(History(100, 104, 96, 110)), s => s.Protocol == "wireguard");
    }

    [Fact]
    public void A_change_inside_the_nodes_run_to_run_spread_is_a_tie_however_narrow_the_runs_own_intervals()
    {
        var a = Reports.Run(Reports.Protocol("wireguard", uploadMbps: SteadyBefore));
        var b = Reports.Run(Reports.Protocol("wireguard", uploadMbps: TenPercentFaster));

        var alone = Upload(RunComparisons.Compare(a, b));
        var drifting = Upload(RunComparisons.Compare(a, b, RunToRunSpreads.From(History(100, 104, 96, 110, 90))));

        Assert.Equal(GapCall.Different, alone.Call);
        Assert.Equal(GapCall.WithinNoise, drifting.Call);
        Assert.Null(drifting.Improved);
        Assert.StartsWith("within this node's run-to-run spread: +9.98 % (95 % CI", drifting.Text, StringComparison.Ordinal);
        Assert.EndsWith("and its runs differ by up to 35.0 % from drift alone (5 earlier runs)", drifting.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void A_change_beyond_a_steady_nodes_spread_is_still_called()
    {
        var a = Reports.Run(Reports.Protocol("wireguard", uploadMbps: SteadyBefore));
        var b = Reports.Run(Reports.Protocol("wireguard", uploadMbps: TenPercentFaster));

        var change = Upload(RunComparisons.Compare(a, b, RunToRunSpreads.From(History(100, 101, 99, 100, 100.5, 99.5))));

        Assert.Equal(GapCall.Different, change.Call);
        Assert.True(change.Improved);
        Assert.NotNull(change.Spread);
        Assert.True(change.Spread!.Floor < 10, change.Spread.ToString());
    }

    /// <summary>
    /// The bound is what it claims: two runs that differ by drift alone exceed it about 5 % of the time, even when only
    /// five earlier runs tell the spread (the few-run case a 1.96 × MAD bound called a difference in one pair of six).
    /// </summary>
    [Theory]
    [InlineData(5)]
    [InlineData(8)]
    [InlineData(20)]
    public void Two_runs_that_drift_alone_exceed_the_spread_about_one_time_in_twenty(int earlierRuns)
    {
        var random = new Random(earlierRuns);
        const int Trials = 4000;
        var exceeded = 0;
        for (var trial = 0; trial < Trials; trial++)
        {
            double Drifted() => 400 * Math.Exp(Normal.Sample(random, 0, 0.05));
            var spread = Assert.Single(
                RunToRunSpreads.From(History([.. Enumerable.Range(0, earlierRuns).Select(_ => Drifted())])),
                s => s.Protocol == "wireguard" && s.MetricKey == VerdictMetrics.TcpUpload.Key);
            if (spread.IsExceededBy(MedianComparison.Ratio([Drifted()], [Drifted()])))
            {
                exceeded++;
            }
        }

        Assert.InRange(exceeded * 100.0 / Trials, 3.5, 6.5);
    }

    private static MetricChange Upload(RunComparison comparison) =>
        Assert.Single(comparison.Changes, c => c.Protocol == "wireguard" && c.Metric.Key == VerdictMetrics.TcpUpload.Key);

    private static IEnumerable<VPNLens.Core.Results.ResultsReport> History(params double[] medians) =>
        medians.Select(m => Reports.Run(Reports.Protocol("wireguard", uploadMbps: [m, m, m, m])));
}
