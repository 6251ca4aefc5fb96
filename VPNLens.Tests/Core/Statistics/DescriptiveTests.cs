using VPNLens.Core.Statistics;

namespace VPNLens.Tests.Core.Statistics;

public sealed class DescriptiveTests
{
    private static readonly double[] Samples = [15, 20, 35, 40, 50];

    [Theory]
    [InlineData(0, 15)]
    [InlineData(40, 29)] // numpy.percentile([15,20,35,40,50], 40) == 29.0
    [InlineData(50, 35)]
    [InlineData(95, 48)]
    [InlineData(100, 50)]
    public void Percentile_interpolates_linearly_between_ranks(double percentile, double expected) =>
        Assert.Equal(expected, Descriptive.Percentile(Samples, percentile)!.Value, 9);

    [Fact]
    public void Percentile_of_unsorted_input_sorts_first() =>
        Assert.Equal(35, Descriptive.Percentile([50, 15, 40, 35, 20], 50));

    [Fact]
    public void Median_of_even_count_is_mean_of_middle_pair() =>
        Assert.Equal(2.5, Descriptive.Median([4, 1, 3, 2]));

    [Fact]
    public void Empty_samples_give_null_not_zero()
    {
        Assert.Null(Descriptive.Median([]));
        Assert.Null(Descriptive.Mean([]));
        Assert.Null(Descriptive.StandardDeviation([]));
        Assert.Null(SampleSummary.Of([]));
    }

    [Fact]
    public void Standard_deviation_is_the_sample_one() =>
        Assert.Equal(2.138089935, Descriptive.StandardDeviation([2, 4, 4, 4, 5, 5, 7, 9])!.Value, 6);

    [Fact]
    public void Population_deviation_matches_ping_mdev() =>
        Assert.Equal(2.0, Descriptive.PopulationDeviation([2, 4, 4, 4, 5, 5, 7, 9])!.Value, 9);

    [Fact]
    public void Relative_standard_deviation_is_percent_of_mean() =>
        Assert.Equal(2.138089935 / 5 * 100, Descriptive.RelativeStandardDeviationPercent([2, 4, 4, 4, 5, 5, 7, 9])!.Value, 6);

    [Fact]
    public void Sample_summary_reports_median_and_spread()
    {
        var summary = SampleSummary.Of([900e6, 800e6, 1000e6])!;
        Assert.Equal(3, summary.Count);
        Assert.Equal(900e6, summary.Median);
        Assert.Equal(800e6, summary.Min);
        Assert.Equal(1000e6, summary.Max);
        Assert.Equal(100e6, summary.StandardDeviation, 3);
        Assert.Equal(11.111, summary.RelativeStandardDeviationPercent, 3);
    }

    [Fact]
    public void Latency_summary_counts_loss_and_percentiles()
    {
        var latency = LatencySummary.Of(10, 8, [1, 2, 3, 4, 5, 6, 7, 8]);
        Assert.Equal(20, latency.LossPercent);
        Assert.Equal(1, latency.MinMs);
        Assert.Equal(8, latency.MaxMs);
        Assert.Equal(4.5, latency.AvgMs);
        Assert.Equal(4.5, latency.P50Ms);
        Assert.Equal(7.65, latency.P95Ms!.Value, 9);
    }

    [Fact]
    public void Latency_summary_of_total_loss_has_no_round_trips()
    {
        var latency = LatencySummary.Of(5, 0, []);
        Assert.Equal(100, latency.LossPercent);
        Assert.Null(latency.P50Ms);
    }
}
