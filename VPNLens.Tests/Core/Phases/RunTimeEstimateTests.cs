using VPNLens.Core.Phases;
using VPNLens.Core.Runs;

namespace VPNLens.Tests.Core.Phases;

public sealed class RunTimeEstimateTests
{
    private static readonly DateTimeOffset Start = new(2026, 12, 5, 8, 0, 0, TimeSpan.Zero);
    private static readonly RunSettings Settings = new() { Repeats = 3 };
    private static readonly Dictionary<string, TimeSpan> NoHistory = [];
    private long nextId = 1;

    [Fact]
    public void A_queued_run_has_nothing_elapsed_and_the_whole_run_left_by_its_settings()
    {
        var progress = RunProgress.Of(["direct"], [], RunState.Queued, started: false);

        var estimate = progress.EstimateTime(null, Start, Settings, NoHistory);

        var expected = Phase.InOrder.Sum(p => RunProgress.FromSettings(new PhaseStep("direct", p, PhaseState.Pending, null, null), Settings).TotalSeconds);
        Assert.Equal(TimeSpan.Zero, estimate.Elapsed);
        Assert.Equal(TimeSpan.FromSeconds(expected), estimate.Remaining);
    }

    [Fact]
    public void Longer_tests_in_the_settings_mean_a_longer_estimate()
    {
        var progress = RunProgress.Of(["direct", "wireguard"], [], RunState.Queued, started: false);

        var short_ = progress.EstimateTime(null, Start, Settings, NoHistory).Remaining!.Value;
        var long_ = progress.EstimateTime(null, Start, Settings with { TcpSeconds = 30, Repeats = 5 }, NoHistory).Remaining!.Value;

        // Two protocols: two TCP phases each of 5 x 33 s instead of 3 x 13 s, two more UDP repetitions of 12 s, and CPU and
        // loaded-latency phases 20 s longer.
        Assert.Equal(TimeSpan.FromSeconds((4 * ((5 * 33) - (3 * 13))) + (2 * 2 * 12) + (2 * 20) + (2 * 20)), long_ - short_);
    }

    [Fact]
    public void Earlier_runs_on_the_node_replace_the_settings_guess_for_the_phases_they_measured()
    {
        var progress = RunProgress.Of(["direct"], [], RunState.Queued, started: false);
        var history = new Dictionary<string, TimeSpan> { [Phase.TcpUpload] = TimeSpan.FromSeconds(100) };

        var guessed = progress.EstimateTime(null, Start, Settings, NoHistory).Remaining!.Value;
        var known = progress.EstimateTime(null, Start, Settings, history).Remaining!.Value;

        Assert.Equal(TimeSpan.FromSeconds(100 - (3 * 13)), known - guessed);
    }

    [Fact]
    public void The_running_phase_counts_only_what_it_has_not_used_yet_and_elapsed_is_since_the_start()
    {
        var history = Phase.InOrder.ToDictionary(p => p, _ => TimeSpan.FromSeconds(10));
        // Phases 1-3 of direct took 10 s each, as usual; the fourth has been running for 4 s.
        var events = Phase.InOrder.Take(3).Select((p, i) => Event("direct", p, Start.AddSeconds(i * 10), Start.AddSeconds((i + 1) * 10))).ToList();
        var progress = RunProgress.Of(["direct"], events, RunState.Running, started: true);

        var estimate = progress.EstimateTime(Start, Start.AddSeconds(34), Settings, history);

        Assert.Equal(TimeSpan.FromSeconds(34), estimate.Elapsed);
        Assert.Equal(TimeSpan.FromSeconds(6 + ((Phase.InOrder.Count - 4) * 10)), estimate.Remaining);
    }

    [Fact]
    public void A_run_slower_than_expected_so_far_is_expected_to_stay_slower()
    {
        var history = Phase.InOrder.ToDictionary(p => p, _ => TimeSpan.FromSeconds(10));
        // The first five phases took twice as long as usual.
        var events = Phase.InOrder.Take(5).Select((p, i) => Event("direct", p, Start.AddSeconds(i * 20), Start.AddSeconds((i + 1) * 20))).ToList();
        var progress = RunProgress.Of(["direct"], events, RunState.Running, started: true);

        var estimate = progress.EstimateTime(Start, Start.AddSeconds(100), Settings, history);

        Assert.Equal(TimeSpan.FromSeconds((Phase.InOrder.Count - 5) * 20), estimate.Remaining);
    }

    [Fact]
    public void A_run_with_nothing_left_to_run_has_no_estimate()
    {
        var events = Phase.InOrder.Select((p, i) => Event("direct", p, Start.AddSeconds(i), Start.AddSeconds(i + 1))).ToList();
        var progress = RunProgress.Of(["direct"], events, RunState.Succeeded, started: true);

        var estimate = progress.EstimateTime(Start, Start.AddMinutes(3), Settings, NoHistory);

        Assert.Null(estimate.Remaining);
        Assert.Equal(TimeSpan.FromMinutes(3), estimate.Elapsed);
    }

    private PhaseEvent Event(string protocol, string phase, DateTimeOffset started, DateTimeOffset ended) =>
        new() { Id = nextId++, Protocol = protocol, Phase = phase, Status = PhaseStatus.Succeeded, StartedAt = started, EndedAt = ended };
}
