using VPNLens.Core.Regressions;

namespace VPNLens.Tests.Core.Regressions;

public sealed class BeyondBaselineTests
{
    private static readonly MOfN ThreeOfThree = new(3, 3);

    [Fact]
    public void The_chance_of_m_of_n_beyond_all_of_a_baseline_is_the_share_of_orders_that_put_them_there()
    {
        Assert.Equal(6.0 / (203 * 202 * 201), BeyondBaseline.Chance(ThreeOfThree, 200), 1e-15);
        Assert.Equal(3.0 / (23 * 22 / 2), BeyondBaseline.Chance(new MOfN(2, 3), 20), 1e-12);
    }

    /// <summary>The chance against the noise itself: heavy-tailed results, 3 of 3 beyond all of 20 (1 in 1,771).</summary>
    [Fact]
    public void The_chance_holds_for_heavy_tailed_noise()
    {
        var random = new Random(3);
        const int Trials = 200_000;
        var hits = 0;
        for (var i = 0; i < Trials; i++)
        {
            hits += BeyondBaseline.CountBeyond(SyntheticSeries.HeavyTailed(random, 23, 100, 10), 0, 20, true) == 3 ? 1 : 0;
        }

        var expected = Trials * BeyondBaseline.Chance(ThreeOfThree, 20);
        Assert.InRange(hits, expected * 0.7, expected * 1.3);
    }

    [Fact]
    public void Three_results_below_every_one_of_a_long_baseline_hold_and_name_it()
    {
        double[] values = [.. Enumerable.Range(0, 200).Select(i => 90.0 + (i % 20)), 50, 60, 89.9];

        Assert.Equal((0, 200), BeyondBaseline.Test(values, true, ThreeOfThree, 200));
        Assert.Equal((20, 200), BeyondBaseline.Test(values, true, ThreeOfThree, 180));
    }

    [Fact]
    public void A_baseline_too_short_for_one_in_a_million_does_not_hold()
    {
        double[] values = [.. Enumerable.Range(0, 200).Select(i => 90.0 + (i % 20)), 50, 60, 70];

        Assert.Null(BeyondBaseline.Test(values, true, ThreeOfThree, 179));
        Assert.Null(BeyondBaseline.Test(values, true, new MOfN(2, 3), 200));
    }

    [Fact]
    public void A_result_equal_to_the_baseline_s_worst_is_not_beyond_it()
    {
        double[] values = [.. Enumerable.Range(0, 200).Select(i => 90.0 + (i % 20)), 50, 60, 90];

        Assert.Null(BeyondBaseline.Test(values, true, ThreeOfThree, 200));
    }

    [Fact]
    public void Where_lower_is_better_beyond_is_above_the_baseline_s_highest()
    {
        double[] values = [.. Enumerable.Range(0, 200).Select(i => 10.0 + (i % 5)), 15, 20, 30];

        Assert.Equal((0, 200), BeyondBaseline.Test(values, false, ThreeOfThree, 200));
        Assert.Null(BeyondBaseline.Test(values, true, ThreeOfThree, 200));
    }
}
