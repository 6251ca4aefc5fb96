using VPNLens.Core.Regressions;

namespace VPNLens.Tests.Core.Regressions;

public sealed class AlertLatchTests
{
    [Theory]
    [InlineData(3, 3, new[] { true, true, true }, true)]
    [InlineData(3, 3, new[] { true, false, true }, false)]
    [InlineData(3, 3, new[] { true, true }, false)]
    [InlineData(2, 3, new[] { true, false, true }, true)]
    [InlineData(2, 3, new[] { true, true, false, false }, false)]
    [InlineData(1, 1, new[] { false, true }, true)]
    public void M_of_the_last_N_must_agree(int m, int n, bool[] verdicts, bool agree)
    {
        Assert.Equal(agree, new MOfN(m, n).Agree(verdicts));
    }

    [Theory]
    [InlineData(0, 3, "M must be between 1 and N.")]
    [InlineData(4, 3, "M must be between 1 and N.")]
    [InlineData(1, 0, "N must be between 1 and 50.")]
    [InlineData(2, 3, null)]
    public void A_rule_that_cannot_hold_names_its_problem(int m, int n, string? problem)
    {
        Assert.Equal(problem, new MOfN(m, n).Problem);
    }

    [Fact]
    public void An_open_alert_is_not_opened_again_and_a_closed_one_is_not_recovered_again()
    {
        var rule = MOfN.Default;
        bool[] bad = [true, true, true];
        bool[] good = [true, true, true];

        Assert.Equal(AlertTransition.Opened, AlertLatch.Next(false, bad, [], rule));
        Assert.Equal(AlertTransition.None, AlertLatch.Next(true, bad, [false, false, false], rule));
        Assert.Equal(AlertTransition.Recovered, AlertLatch.Next(true, [], good, rule));
        Assert.Equal(AlertTransition.None, AlertLatch.Next(false, [false, false, false], good, rule));
    }

    [Fact]
    public void Failed_scheduled_runs_open_their_own_alert_once_and_recover_once()
    {
        var rule = new MOfN(2, 3);
        var outcomes = new List<bool>();
        var open = false;
        var transitions = new List<AlertTransition>();
        foreach (var succeeded in new[] { true, false, true, false, false, false, true, true, true })
        {
            outcomes.Add(succeeded);
            var next = FailureWatch.Next(open, outcomes, rule);
            if (next != AlertTransition.None)
            {
                transitions.Add(next);
                open = next == AlertTransition.Opened;
            }
        }

        Assert.Equal([AlertTransition.Opened, AlertTransition.Recovered], transitions);
    }
}
