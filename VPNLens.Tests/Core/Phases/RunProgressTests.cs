using VPNLens.Core.Phases;
using VPNLens.Core.Runs;

namespace VPNLens.Tests.Core.Phases;

public sealed class RunProgressTests
{
    private static readonly string[] Protocols = ["direct", "wireguard"];
    private long nextId = 1;

    [Fact]
    public void A_queued_run_has_every_phase_pending_and_nothing_current()
    {
        var progress = RunProgress.Of(Protocols, [], RunState.Queued, started: false);

        Assert.All(progress.Protocols.SelectMany(p => p.Steps), s => Assert.Equal(PhaseState.Pending, s.State));
        Assert.Null(progress.Current);
        Assert.Equal((0, 36), (progress.Settled, progress.Total));
    }

    [Fact]
    public void The_phase_after_the_furthest_reported_is_running()
    {
        var progress = RunProgress.Of(Protocols, [Event("direct", Phase.StopEverything), Event("direct", Phase.BringUp)], RunState.Running, started: true);

        Assert.Equal(("direct", Phase.RungInterface, PhaseState.Running), (progress.Current!.Protocol, progress.Current.Phase, progress.Current.State));
        Assert.Equal(TimeSpan.FromSeconds(2), Step(progress, "direct", Phase.BringUp).Duration);
    }

    [Fact]
    public void After_a_teardown_the_next_protocol_starts_from_its_first_phase()
    {
        var events = Phase.InOrder.Select(p => Event("direct", p, p == Phase.Recovery ? PhaseStatus.Skipped : PhaseStatus.Succeeded)).ToList();

        var progress = RunProgress.Of(Protocols, events, RunState.Running, started: true);

        Assert.Equal(PhaseState.Skipped, Step(progress, "direct", Phase.Recovery).State);
        Assert.Equal(("wireguard", Phase.StopEverything), (progress.Current!.Protocol, progress.Current.Phase));
    }

    [Fact]
    public void A_failed_phase_jumps_to_teardown_and_passes_over_the_phases_between()
    {
        var progress = RunProgress.Of(Protocols, [Event("direct", Phase.StopEverything), Event("direct", Phase.BringUp, PhaseStatus.Failed, "wg-quick: exit 1")], RunState.Running, started: true);

        Assert.Equal(PhaseState.Failed, Step(progress, "direct", Phase.BringUp).State);
        Assert.Equal(PhaseState.NotRun, Step(progress, "direct", Phase.RungInterface).State);
        Assert.Equal(PhaseState.NotRun, Step(progress, "direct", Phase.Recovery).State);
        Assert.Equal(PhaseState.Running, Step(progress, "direct", Phase.Teardown).State);
        Assert.Equal("wg-quick: exit 1", progress.Failures.Single().Detail);
    }

    [Fact]
    public void Phases_reported_out_of_order_still_count_from_the_furthest()
    {
        var progress = RunProgress.Of(Protocols, [Event("direct", Phase.BringUp), Event("direct", Phase.StopEverything)], RunState.Running, started: true);

        Assert.Equal(Phase.RungInterface, progress.Current!.Phase);
    }

    [Fact]
    public void Everything_reported_while_running_means_waiting_for_the_results()
    {
        var events = Protocols.SelectMany(protocol => Phase.InOrder.Select(p => Event(protocol, p))).ToList();

        var progress = RunProgress.Of(Protocols, events, RunState.Running, started: true);

        Assert.Null(progress.Current);
        Assert.Equal(1.0, progress.Fraction);
    }

    [Fact]
    public void A_timed_out_run_marks_the_phase_it_was_in_as_interrupted_and_the_rest_not_run()
    {
        var progress = RunProgress.Of(Protocols, [Event("direct", Phase.StopEverything)], RunState.TimedOut, started: true);

        Assert.Equal(PhaseState.Interrupted, Step(progress, "direct", Phase.BringUp).State);
        Assert.Equal(PhaseState.NotRun, Step(progress, "wireguard", Phase.Teardown).State);
    }

    [Fact]
    public void A_run_that_failed_to_start_interrupts_nothing()
    {
        var progress = RunProgress.Of(Protocols, [], RunState.Failed, started: true);

        Assert.Null(progress.Current);
        Assert.All(progress.Protocols.SelectMany(p => p.Steps), s => Assert.Equal(PhaseState.NotRun, s.State));
    }

    private static PhaseStep Step(RunProgress progress, string protocol, string phase) =>
        progress.Protocols.Single(p => p.Protocol == protocol).Steps.Single(s => s.Phase == phase);

    private PhaseEvent Event(string protocol, string phase, PhaseStatus status = PhaseStatus.Succeeded, string? detail = null)
    {
        var start = new DateTimeOffset(2026, 11, 25, 8, 0, 0, TimeSpan.Zero);
        return new PhaseEvent { Id = nextId++, Protocol = protocol, Phase = phase, Status = status, StartedAt = start, EndedAt = start.AddSeconds(2), Detail = detail };
    }
}
