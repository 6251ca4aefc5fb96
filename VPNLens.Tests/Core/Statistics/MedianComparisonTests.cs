using VPNLens.Core.Statistics;

namespace VPNLens.Tests.Core.Statistics;

public sealed class MedianComparisonTests
{
    // Three values each: a resample's median is its smallest value with probability 7/27 (> 2.5 %), so the interval's
    // ends are exactly the extreme ratios: 100/60 and 120/50.
    [Fact]
    public void Ratio_of_three_against_three_spans_the_extreme_ratios()
    {
        var comparison = MedianComparison.Ratio([100, 110, 120], [50, 55, 60]);

        Assert.Equal(2, comparison.Estimate!.Value, 9);
        Assert.Equal(100.0 / 60, comparison.Interval!.Low, 9);
        Assert.Equal(2.4, comparison.Interval.High, 9);
        Assert.False(comparison.Interval.Contains(1));
    }

    [Fact]
    public void Difference_of_the_same_values_is_centred_on_zero()
    {
        var comparison = MedianComparison.Difference([1, 2, 3], [3, 1, 2]);

        Assert.Equal(0, comparison.Estimate);
        Assert.Equal(-2, comparison.Interval!.Low, 9);
        Assert.Equal(2, comparison.Interval.High, 9);
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
        var comparison = MedianComparison.Difference([0, 0, 0], [0, 0, 0]);

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
}
