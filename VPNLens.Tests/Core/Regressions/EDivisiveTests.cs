using VPNLens.Core.Regressions;

namespace VPNLens.Tests.Core.Regressions;

public sealed class EDivisiveTests
{
    [Fact]
    public void A_clear_step_is_found_where_it_is_with_the_size_of_the_shift_inside_its_interval()
    {
        var random = new Random(7);
        var series = SyntheticSeries.Normal(random, 30, 100, 5).Concat(SyntheticSeries.Normal(random, 30, 70, 5)).ToArray();

        var points = new EDivisive(new DetectorSettings()).Detect(series);

        var point = Assert.Single(points);
        Assert.InRange(point.Index, 29, 31);
        Assert.InRange(point.RelativeShift, -0.35, -0.25);
        Assert.True(point.ShiftLow < point.Shift && point.Shift < point.ShiftHigh);
        Assert.InRange(-30.0, point.ShiftLow, point.ShiftHigh);
    }

    [Fact]
    public void Two_steps_are_both_found_by_binary_segmentation()
    {
        var random = new Random(11);
        var series = SyntheticSeries.Normal(random, 25, 100, 5)
            .Concat(SyntheticSeries.Normal(random, 25, 70, 5))
            .Concat(SyntheticSeries.Normal(random, 25, 100, 5)).ToArray();

        var points = new EDivisive(new DetectorSettings()).Detect(series);

        Assert.Equal(2, points.Count);
        Assert.InRange(points[0].Index, 24, 26);
        Assert.InRange(points[1].Index, 49, 51);
    }

    [Fact]
    public void A_short_series_is_searched_point_by_point_under_the_bound()
    {
        var random = new Random(7);
        var series = SyntheticSeries.Normal(random, 30, 100, 5).Concat(SyntheticSeries.Normal(random, 30, 70, 5)).ToArray();
        var detector = new EDivisive(new DetectorSettings());

        Assert.Equal(detector.Detect(series), detector.DetectBounded(series, 60));
    }

    /// <summary>A year of hourly results with a -15 % step in RSD 5 % noise: found within the day of the step, described from the results.</summary>
    [Fact]
    public void A_long_series_is_searched_on_medians_and_its_change_placed_and_sized_from_the_values()
    {
        var random = new Random(5);
        var step = (200 * 24) + 7;
        var series = SyntheticSeries.Normal(random, step, 100, 5).Concat(SyntheticSeries.Normal(random, (365 * 24) - step, 85, 5)).ToArray();

        var point = Assert.Single(new EDivisive(new DetectorSettings()).DetectBounded(series, 365));

        Assert.Equal(0, point.Index % 24);
        Assert.InRange(point.Index, step - 24, step + 24);
        Assert.Equal(point.Index, point.Before.Count);
        Assert.Equal(series.Length - point.Index, point.After.Count);
        Assert.Equal(series[..point.Index].Average(), point.Before.Mean, 9);
        Assert.InRange(point.RelativeShift, -0.17, -0.13);
        Assert.True(point.ShiftLow < point.Shift && point.Shift < point.ShiftHigh);
    }

    [Fact]
    public void The_same_series_always_gives_the_same_answer()
    {
        var series = SyntheticSeries.Normal(new Random(3), 40, 100, 10);
        var detector = new EDivisive(new DetectorSettings { SignificanceLevel = 0.5 });

        Assert.Equal(detector.Detect(series), detector.Detect(series));
        Assert.Equal(detector.TestTail(series, 3, 20), detector.TestTail(series, 3, 20));
    }

    /// <summary>The split search against Q(τ) computed straight from its definition, on series with and without ties.</summary>
    [Fact]
    public void The_best_split_is_the_one_the_energy_statistic_defines()
    {
        var random = new Random(19);
        for (var t = 0; t < 300; t++)
        {
            var n = 6 + random.Next(60);
            var digits = t % 3 == 0 ? 0 : 4;
            var x = Enumerable.Range(0, n).Select(i => Math.Round(random.NextDouble() * 10 * (i > n / 3 ? 0.7 : 1), digits) * 1e7).ToArray();
            var (first, last) = (3, n - 3);

            var (split, statistic) = EDivisive.BestSplit(x, first, last);

            var expected = Enumerable.Range(first, last - first + 1).Select(tau => (Tau: tau, Q: Q(x, tau))).MaxBy(s => s.Q);
            Assert.Equal(expected.Q, statistic, 1e-9 * Math.Max(1, Math.Abs(expected.Q)));
            Assert.Equal(Q(x, expected.Tau), Q(x, split), 1e-9 * Math.Max(1, Math.Abs(expected.Q)));
        }

        Assert.Equal(0, EDivisive.BestSplit(Enumerable.Repeat(0.1, 12).ToArray(), 3, 9).Statistic);
    }

    /// <summary>τ(n−τ)/n · (2·mean |a−b| across − mean |a−a'| within the left − mean |b−b'| within the right).</summary>
    private static double Q(double[] x, int tau)
    {
        var n = x.Length;
        double across = 0, left = 0, right = 0;
        for (var i = 0; i < n; i++)
        {
            for (var j = i + 1; j < n; j++)
            {
                var d = Math.Abs(x[i] - x[j]);
                if (j < tau)
                {
                    left += d;
                }
                else if (i >= tau)
                {
                    right += d;
                }
                else
                {
                    across += d;
                }
            }
        }

        var m = n - tau;
        return tau * (double)m / n * ((2 * across / (tau * m)) - (left / (tau * (tau - 1) / 2.0)) - (right / (m * (m - 1) / 2.0)));
    }

    [Fact]
    public void A_flat_series_has_no_change_point()
    {
        Assert.Empty(new EDivisive(new DetectorSettings()).Detect(Enumerable.Repeat(42.0, 40).ToArray()));
    }

    /// <summary>
    /// A −15 % step in RSD 10 % noise is 1.5 standard deviations: with three results after it even a test that knew
    /// where the step was would miss it about one time in six at 5 %, so "found within 3 runs" is a rate.
    /// </summary>
    [Fact]
    public void A_15_percent_drop_in_10_percent_noise_is_found_within_3_runs_in_most_series()
    {
        var detector = new EDivisive(new DetectorSettings { SignificanceLevel = 0.05 });
        var found = 0;
        for (var seed = 0; seed < 100; seed++)
        {
            var random = new Random(seed);
            var series = SyntheticSeries.Normal(random, 37, 100, 10).Concat(SyntheticSeries.Normal(random, 3, 85, 10)).ToArray();
            if (detector.TestTail(series, 3, 5) is { Shift: < 0 })
            {
                found++;
            }
        }

        Assert.InRange(found, 55, 100);
    }

    [Fact]
    public void Noise_alone_is_rarely_called_a_shift_at_the_tail()
    {
        var detector = new EDivisive(new DetectorSettings { SignificanceLevel = 0.05 });
        var flagged = Enumerable.Range(0, 100)
            .Count(seed => detector.TestTail(SyntheticSeries.Normal(new Random(500 + seed), 40, 100, 10), 3, 5) is not null);

        Assert.InRange(flagged, 0, 10);
    }
}
