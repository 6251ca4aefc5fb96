using VPNLens.Core.Phases;
using VPNLens.Core.Runs;
using VPNLens.Tests.Infrastructure;
using VPNLens.Web.Runs;

namespace VPNLens.Tests.Web.Runs;

public sealed class LiveDashboardTests
{
    private static readonly DateTimeOffset At = new(2026, 12, 6, 12, 0, 0, TimeSpan.Zero);
    private readonly Run running;
    private readonly LiveDashboard live;
    private long nextId = 1;

    public LiveDashboardTests()
    {
        var node = Seed.Node();
        running = Seed.Run(node.Id, RunState.Running, protocols: ["wireguard"]);
        var status = new NodeStatus(node, running, RunProgress.Of(running.Protocols, [], running.State, started: true), null, 0, []);
        live = new LiveDashboard(new DashboardSnapshot([status], [], []), 15);
    }

    [Fact]
    public void A_phase_reported_again_and_again_keeps_one_report_on_the_card_the_latest()
    {
        for (var i = 0; i < 200; i++)
        {
            live.Apply(Recorded(Phase.InOrder[i % 3], $"report {i}"));
        }

        var card = live.Snapshot.Nodes.Single();
        Assert.Equal(3, card.CurrentPhases!.Count);
        Assert.Equal(["report 197", "report 198", "report 199"], card.CurrentPhases.Select(p => p.Detail));
        Assert.Equal(3, card.CurrentProgress!.Settled);
    }

    [Fact]
    public void A_batch_moves_the_progress_as_its_phases_one_by_one_would()
    {
        var phases = Phase.InOrder.Take(5).Select(p => Recorded(p, p)).ToList();
        var oneByOne = new LiveDashboard(live.Snapshot, 15);
        phases.ForEach(p => oneByOne.Apply(p));

        Assert.Equal(5, live.Apply(phases));

        var card = live.Snapshot.Nodes.Single();
        Assert.Equal(5, card.CurrentProgress!.Settled);
        Assert.Equal(oneByOne.Snapshot.Nodes.Single().CurrentProgress!.Current, card.CurrentProgress.Current);
        Assert.Equal(oneByOne.Snapshot.Nodes.Single().CurrentPhases, card.CurrentPhases);
    }

    [Fact]
    public void Phases_of_a_run_no_card_shows_change_nothing()
    {
        var before = live.Snapshot;

        Assert.Equal(0, live.Apply([new PhaseRecorded(Guid.NewGuid(), Report(Protocols.Direct, Phase.InOrder[0], "elsewhere"))]));

        Assert.Same(before, live.Snapshot);
    }

    private PhaseRecorded Recorded(string phase, string detail) => new(running.Id, Report(Protocols.Direct, phase, detail));

    private PhaseEvent Report(string protocol, string phase, string detail) => new()
    {
        Id = nextId++,
        RunId = running.Id,
        Protocol = protocol,
        Phase = phase,
        Status = PhaseStatus.Succeeded,
        StartedAt = At,
        EndedAt = At.AddSeconds(1),
        ReceivedAt = At,
        Detail = detail,
    };
}
