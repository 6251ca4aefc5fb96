using VPNLens.Core.Runs;
using static VPNLens.Core.Runs.RunEffect;
using static VPNLens.Core.Runs.RunState;
using static VPNLens.Core.Runs.RunTrigger;

namespace VPNLens.Tests.Core.Runs;

/// <summary>Every (state, stop pending, trigger) triple: the allowed moves are listed, everything else must be refused.</summary>
public sealed class RunLifecycleTests
{
    private static readonly RunEffect[] Ended = [AnnounceState, ReleaseLeases, NotifyRequester, DispatchNext];

    private static readonly (RunState From, bool Pending, RunTrigger Trigger, RunState To, bool ToPending, RunEffect[] Effects)[] Allowed =
    [
        (Queued, false, Started, Running, false, [AnnounceState, StartRemoteScript]),
        (Queued, false, RunTrigger.Cancelled, RunState.Cancelled, false, [AnnounceState, DispatchNext]),
        (Queued, false, Recovered, Queued, false, [DispatchNext]),
        (Running, false, PidRecorded, Running, false, []),
        (Running, false, PhaseArrived, Running, false, []),
        (Running, false, ResultsSucceeded, Succeeded, false, Ended),
        (Running, false, ResultsPartlyFailed, Completed, false, Ended),
        (Running, false, ResultsFailed, Failed, false, Ended),
        (Running, false, DispatchFailed, Failed, false, Ended),
        (Running, false, DeadlinePassed, Running, false, [FetchResults]),
        (Running, false, Recovered, Running, false, [FetchResults]),
        (Running, false, NothingToFetch, TimedOut, true, [AnnounceState, StopRemoteScript, NotifyRequester]),
        (Running, false, RunTrigger.Cancelled, RunState.Cancelled, true, [AnnounceState, StopRemoteScript]),
        .. Enum.GetValues<RunState>().Where(s => s.IsTerminal()).SelectMany(s => new (RunState, bool, RunTrigger, RunState, bool, RunEffect[])[]
        {
            (s, true, PidRecorded, s, true, []),
            (s, true, RemoteStopped, s, false, [ReleaseLeases, DispatchNext]),
            (s, true, Recovered, s, true, [StopRemoteScript]),
        }),
    ];

    public static TheoryData<RunState, bool, RunTrigger> EveryPair()
    {
        var data = new TheoryData<RunState, bool, RunTrigger>();
        foreach (var state in Enum.GetValues<RunState>())
        {
            foreach (var pending in new[] { false, true })
            {
                foreach (var trigger in Enum.GetValues<RunTrigger>())
                {
                    data.Add(state, pending, trigger);
                }
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(EveryPair))]
    public void Each_state_and_trigger_moves_exactly_as_the_table_says(RunState state, bool stopPending, RunTrigger trigger)
    {
        var decision = RunLifecycle.Decide(state, stopPending, trigger);
        var expected = Allowed.Where(a => a.From == state && a.Pending == stopPending && a.Trigger == trigger).ToList();

        if (expected.Count == 0)
        {
            Assert.False(decision.IsAllowed, $"{state}{(stopPending ? " (stop pending)" : string.Empty)} + {trigger} must be refused");
            Assert.NotNull(decision.Refusal);
            Assert.False(string.IsNullOrWhiteSpace(decision.Refusal.Reason));
            return;
        }

        var move = Assert.Single(expected);
        Assert.True(decision.IsAllowed, $"{state} + {trigger} was refused: {decision.Refusal?.Reason}");
        Assert.Equal(move.To, decision.Move!.To);
        Assert.Equal(move.ToPending, decision.Move.StopPending);
        Assert.Equal(move.Effects.Order(), decision.Move.Effects.Order());
    }

    [Fact]
    public void Leases_are_released_exactly_when_a_run_stops_using_its_node()
    {
        foreach (var (from, pending, trigger, to, toPending, effects) in Allowed)
        {
            var releases = effects.Contains(ReleaseLeases);
            var endsUse = (from is Running or Queued || pending) && to.IsTerminal() && !toPending && from != Queued;
            Assert.True(releases == endsUse, $"{from} + {trigger}: release {releases}, but the run {(endsUse ? "no longer" : "still")} uses its node");
        }
    }

    [Fact]
    public void Only_ending_moves_notify_and_a_cancel_does_not()
    {
        var notifying = Allowed.Where(a => a.Effects.Contains(NotifyRequester)).Select(a => a.To).Distinct().Order();

        Assert.Equal([Succeeded, Completed, Failed, TimedOut], notifying);
    }

    [Theory]
    [InlineData(RunTrigger.Cancelled, new[] { Queued, Running })]
    [InlineData(ResultsSucceeded, new[] { Running })]
    [InlineData(RemoteStopped, new[] { Succeeded, Completed, Failed, TimedOut, RunState.Cancelled })]
    [InlineData(Started, new[] { Queued })]
    public void The_conditional_update_names_the_states_a_trigger_may_leave(RunTrigger trigger, RunState[] expected)
    {
        Assert.Equal(expected, RunLifecycle.AllowedFrom(trigger));
    }

    [Theory]
    [InlineData(true, 0, ResultsSucceeded)]
    [InlineData(true, 2, ResultsPartlyFailed)]
    [InlineData(false, 0, ResultsFailed)]
    [InlineData(false, 3, ResultsFailed)]
    public void Results_lead_to_a_final_state_that_says_how_it_went(bool runSucceeded, int failed, RunTrigger expected)
    {
        Assert.Equal(expected, RunLifecycle.ResultsTrigger(runSucceeded, failed));
    }
}
