using VPNLens.Core.Statistics;

namespace VPNLens.Tests.Core.Statistics;

public sealed class MedianComparisonTests
{
    [Fact]
    public void Three_against_three_cannot_reach_95_percent_and_says_so()
    {
        var comparison = MedianComparison.Ratio([100, 110, 120], [50, 55, 60]);

        Assert.Equal(2, comparison.Estimate!.Value, 9);
        Assert.Null(comparison.Interval);
        Assert.Contains("too few for an exact 95 % interval", comparison.NoIntervalReason, StringComparison.Ordinal);
    }

    // Four against four separated completely: only the extreme ratios keep 95 % (P(U = 0) = 1/70 per side).
    [Fact]
    public void Ratio_of_four_against_four_spans_the_extreme_ratios()
    {
        var comparison = MedianComparison.Ratio([100, 105, 110, 120], [50, 52, 55, 60]);

        Assert.Equal(107.5 / 53.5, comparison.Estimate!.Value, 9);
        Assert.Equal(100.0 / 60, comparison.Interval!.Low, 9);
        Assert.Equal(120.0 / 50, comparison.Interval.High, 9);
        Assert.False(comparison.Interval.Contains(1));
    }

    [Fact]
    public void Difference_of_the_same_values_is_centred_on_zero()
    {
        var comparison = MedianComparison.Difference([1, 2, 3, 4, 5], [5, 3, 1, 4, 2]);

        Assert.Equal(0, comparison.Estimate);
        Assert.Equal(-comparison.Interval!.High, comparison.Interval.Low, 9);
        Assert.True(comparison.Interval.Contains(comparison.NoEffect));
    }

    [Fact]
    public void Ties_everywhere_give_a_point_interval_at_no_effect()
    {
        var comparison = MedianComparison.Ratio([5, 5, 5, 5], [5, 5, 5, 5]);

        Assert.Equal(new ConfidenceInterval(1, 1, 0.95), comparison.Interval);
        Assert.True(comparison.Interval!.Contains(1));
    }

    [Fact]
    public void Ties_across_the_samples_keep_no_effect_inside()
    {
        var comparison = MedianComparison.Ratio([5, 5, 5, 6], [5, 5, 5, 5]);

        Assert.Equal(1, comparison.Estimate);
        Assert.True(comparison.Interval!.Contains(1));
    }

    [Fact]
    public void One_repetition_gives_an_estimate_and_no_interval()
    {
        var comparison = MedianComparison.Ratio([900], [450, 460, 470]);

        Assert.Equal(900.0 / 460, comparison.Estimate!.Value, 9);
        Assert.Null(comparison.Interval);
        Assert.Contains("no confidence can be given", comparison.NoIntervalReason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_zero_median_below_gives_no_ratio_at_all()
    {
        var comparison = MedianComparison.Ratio([900, 910, 920], [0, 0, 0]);

        Assert.Null(comparison.Estimate);
        Assert.Null(comparison.Interval);
        Assert.NotNull(comparison.NoIntervalReason);
    }

    [Fact]
    public void A_zero_repetition_leaves_the_ratio_without_an_interval()
    {
        var comparison = MedianComparison.Ratio([900, 910, 920], [0, 500, 510]);

        Assert.Equal(910.0 / 500, comparison.Estimate!.Value, 9);
        Assert.Null(comparison.Interval);
    }

    [Fact]
    public void Zeros_compare_as_a_difference()
    {
        var comparison = MedianComparison.Difference([0, 0, 0, 0], [0, 0, 0, 0]);

        Assert.Equal(0, comparison.Estimate);
        Assert.Equal(new ConfidenceInterval(0, 0, 0.95), comparison.Interval);
    }

    [Fact]
    public void The_same_data_give_the_same_interval_every_time()
    {
        double[] a = [812, 798, 825, 840, 803, 799];
        double[] b = [640, 655, 610, 700, 630, 660];

        Assert.Equal(MedianComparison.Ratio(a, b).Interval, MedianComparison.Ratio(a, b).Interval);
    }

    [Fact]
    public void The_interval_holds_the_estimate_and_widens_with_spread()
    {
        var tight = MedianComparison.Ratio([800, 805, 810, 815, 820, 825], [600, 602, 604, 606, 608, 610]);
        var wide = MedianComparison.Ratio([700, 760, 810, 860, 900, 950], [500, 560, 604, 650, 700, 720]);

        Assert.True(tight.Interval!.Contains(tight.Estimate!.Value));
        Assert.True(wide.Interval!.High - wide.Interval.Low > tight.Interval.High - tight.Interval.Low);
    }

    // The same distribution on both sides: an interval that excludes no effect is a false difference, and the exact
    // interval's rate is at most 5 % at every size. A percentile bootstrap of the medians calls 10 % at three against
    // three (its interval is then the extreme ratios, which exclude 1 whenever the samples do not overlap: 2 in 20).
    [Theory]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(8)]
    public void Equal_populations_are_called_different_at_most_five_percent_of_the_time(int repetitions)
    {
        var random = new Random(20261205);
        const int Trials = 2000;
        var different = 0;
        for (var trial = 0; trial < Trials; trial++)
        {
            double[] a = [.. Enumerable.Range(0, repetitions).Select(_ => 900 + (60 * Normal(random)))];
            double[] b = [.. Enumerable.Range(0, repetitions).Select(_ => 900 + (60 * Normal(random)))];
            if (MedianComparison.Ratio(a, b).Interval is { } interval && !interval.Contains(1))
            {
                different++;
            }
        }

        Assert.InRange(different / (double)Trials, 0, 0.05);
    }

    private static double Normal(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
