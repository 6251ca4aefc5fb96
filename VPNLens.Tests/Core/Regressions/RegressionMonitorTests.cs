using VPNLens.Core.Regressions;

namespace VPNLens.Tests.Core.Regressions;

public sealed class RegressionMonitorTests
{
    private static readonly RegressionMonitor Upload = new(TrackedMetric.TcpUpload, new RegressionPolicy());

    /// <summary>Feeds the series one result at a time, as runs finish, and returns the index of each transition.</summary>
    private static List<(int At, RegressionStep Step)> Replay(RegressionMonitor monitor, double[] values)
    {
        var points = SyntheticSeries.Points(values);
        var state = RegressionState.Initial;
        var transitions = new List<(int, RegressionStep)>();
        for (var i = 1; i <= points.Length; i++)
        {
            var step = monitor.Evaluate(state, points[..i]);
            if (step.Transition != AlertTransition.None)
            {
                transitions.Add((i - 1, step));
            }

            state = step.State;
        }

        return transitions;
    }

    public static TheoryData<string> NoiseKinds => ["normal", "heavy-tailed", "bimodal"];

    [Theory]
    [MemberData(nameof(NoiseKinds))]
    public void A_thousand_runs_of_noise_raise_no_alert_at_3_of_3(string kind)
    {
        var random = new Random(1000);
        var values = kind switch
        {
            "normal" => SyntheticSeries.Normal(random, 1000, 100, 10),
            "heavy-tailed" => SyntheticSeries.HeavyTailed(random, 1000, 100, 10),
            _ => SyntheticSeries.Bimodal(random, 1000, 100),
        };

        Assert.Empty(Replay(Upload, values));
    }

    [Fact]
    public void A_15_percent_drop_in_10_percent_noise_opens_one_alert_after_the_step_in_nearly_every_series()
    {
        var delays = new List<int>();
        for (var seed = 0; seed < 40; seed++)
        {
            var random = new Random(seed);
            var values = SyntheticSeries.Normal(random, 37, 100, 10).Concat(SyntheticSeries.Normal(random, 25, 85, 10)).ToArray();
            var transitions = Replay(Upload, values);
            Assert.All(transitions, t => Assert.Equal(AlertTransition.Opened, t.Step.Transition));
            if (transitions.Count == 1)
            {
                Assert.InRange(transitions[0].At, 37 + 2, values.Length);
                delays.Add(transitions[0].At - 37 + 1);
            }
        }

        Assert.InRange(delays.Count, 36, 40);
        Assert.InRange(delays.Order().ElementAt(delays.Count / 2), 3, 12);
    }

    [Fact]
    public void An_alert_carries_the_change_point_and_the_shift_with_its_interval()
    {
        var random = new Random(5);
        var values = SyntheticSeries.Normal(random, 30, 100, 5).Concat(SyntheticSeries.Normal(random, 10, 80, 5)).ToArray();

        var (at, step) = Assert.Single(Replay(Upload, values));

        Assert.Equal(AlertTransition.Opened, step.Transition);
        Assert.InRange(at, 32, 36);
        Assert.Equal(SyntheticSeries.Start.AddHours(30), step.ChangeAt);
        var evidence = step.Evidence!;
        Assert.InRange(evidence.RelativeShift, -0.25, -0.15);
        Assert.True(evidence.ShiftHigh < 0, "the whole interval is a drop");
        Assert.True(step.State.IsOpen);
    }

    [Fact]
    public void A_regression_opens_once_and_recovers_once_when_the_level_comes_back()
    {
        var random = new Random(9);
        var values = SyntheticSeries.Normal(random, 30, 100, 5)
            .Concat(SyntheticSeries.Normal(random, 30, 80, 5))
            .Concat(SyntheticSeries.Normal(random, 30, 100, 5)).ToArray();

        var transitions = Replay(Upload, values);

        Assert.Equal([AlertTransition.Opened, AlertTransition.Recovered], transitions.Select(t => t.Step.Transition));
        Assert.InRange(transitions[0].At, 32, 40);
        Assert.InRange(transitions[1].At, 62, 70);
        Assert.Equal(SyntheticSeries.Start.AddHours(60), transitions[1].Step.ChangeAt);
    }

    [Fact]
    public void An_improvement_is_not_an_alert()
    {
        var random = new Random(13);
        var values = SyntheticSeries.Normal(random, 30, 100, 5).Concat(SyntheticSeries.Normal(random, 20, 130, 5)).ToArray();

        Assert.Empty(Replay(Upload, values));
    }

    [Fact]
    public void For_latency_a_rise_is_the_regression()
    {
        var random = new Random(17);
        var values = SyntheticSeries.Normal(random, 30, 20, 5).Concat(SyntheticSeries.Normal(random, 10, 26, 5)).ToArray();

        var (_, step) = Assert.Single(Replay(new RegressionMonitor(TrackedMetric.LatencyIdleP50, new RegressionPolicy()), values));
        Assert.True(step.Evidence!.Shift > 0);
    }

    [Fact]
    public void A_shift_smaller_than_the_schedule_s_floor_is_not_an_alert()
    {
        var random = new Random(5);
        var values = SyntheticSeries.Normal(random, 30, 100, 2).Concat(SyntheticSeries.Normal(random, 10, 92, 2)).ToArray();

        Assert.Single(Replay(Upload, values));
        Assert.Empty(Replay(new RegressionMonitor(TrackedMetric.TcpUpload, new RegressionPolicy { FloorPercent = 10 }), values));
    }

    [Fact]
    public void A_single_outlier_among_normal_results_does_not_open_an_alert()
    {
        var random = new Random(21);
        var values = SyntheticSeries.Normal(random, 40, 100, 3).Append(50).Concat(SyntheticSeries.Normal(random, 10, 100, 3)).ToArray();

        Assert.Empty(Replay(Upload, values));
    }
}
