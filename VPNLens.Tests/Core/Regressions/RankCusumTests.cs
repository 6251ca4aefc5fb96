using MathNet.Numerics.Distributions;
using VPNLens.Core.Regressions;

namespace VPNLens.Tests.Core.Regressions;

public sealed class RankCusumTests
{
    private static readonly CusumSettings Settings = new();

    [Fact]
    public void A_drop_raises_the_sum_from_where_it_began_against_the_results_before_it()
    {
        var random = new Random(3);
        double[] values = [.. SyntheticSeries.Normal(random, 40, 100, 5), .. SyntheticSeries.Normal(random, 10, 80, 5)];

        var last = RankCusum.Path(values, lowerIsWorse: true, Settings)[^1];

        Assert.True(last.Statistic > Settings.Threshold, $"sum {last.Statistic}");
        Assert.InRange(last.ChangeIndex, 38, 40);
        Assert.Equal(0, last.BaselineStart);
    }

    [Fact]
    public void A_rise_is_not_worse_when_lower_is_worse_and_is_when_higher_is()
    {
        var random = new Random(4);
        double[] values = [.. SyntheticSeries.Normal(random, 40, 100, 5), .. SyntheticSeries.Normal(random, 10, 120, 5)];

        Assert.Equal(0, RankCusum.Path(values, lowerIsWorse: true, Settings)[^1].Statistic);
        Assert.True(RankCusum.Path(values, lowerIsWorse: false, Settings)[^1].Statistic > Settings.Threshold);
    }

    /// <summary>Ranks only: any increasing transform of the series (here a cube and a shift) gives the same sums.</summary>
    [Fact]
    public void The_sums_do_not_depend_on_the_scale_or_shape_of_the_noise()
    {
        var random = new Random(5);
        double[] values = [.. SyntheticSeries.HeavyTailed(random, 60, 100, 10), .. SyntheticSeries.HeavyTailed(random, 20, 85, 10)];
        double[] transformed = [.. values.Select(v => (Math.Pow(v - 90, 3) / 1000) + 7)];

        var path = RankCusum.Path(values, lowerIsWorse: true, Settings);

        Assert.Equal(path, RankCusum.Path(transformed, lowerIsWorse: true, Settings));
        Assert.Contains(path, s => s.Statistic > 0);
    }

    [Fact]
    public void One_outlier_adds_no_more_than_the_lowest_placement_s_score()
    {
        var random = new Random(6);
        double[] values = [.. SyntheticSeries.Normal(random, 40, 100, 5), 1];

        var path = RankCusum.Path(values, lowerIsWorse: true, Settings);

        var baseline = path[^1].ChangeIndex - path[^1].BaselineStart;
        var most = Normal.InvCDF(0, 1, 1 - (0.5 / (baseline + 1))) - Settings.Reference;
        Assert.InRange(path[^1].Statistic - path[^2].Statistic, most - 1e-9, most + 1e-9);
        Assert.True(path[^1].Statistic < Settings.Threshold);
    }

    [Fact]
    public void Nothing_is_judged_before_the_baseline_is_long_enough()
    {
        double[] values = [.. Enumerable.Repeat(100.0, Settings.MinimumBaseline - 1), 1, 1, 1, 1, 1];

        var path = RankCusum.Path(values, lowerIsWorse: true, Settings);

        Assert.All(path[..Settings.MinimumBaseline], s => Assert.Equal(0, s.Statistic));
        Assert.True(path[Settings.MinimumBaseline].Statistic > 0, "judged once the baseline is long enough");
    }
}
