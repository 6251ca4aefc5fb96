using Bunit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using MudBlazor;
using VPNLens.Core.Nodes;
using VPNLens.Core.Phases;
using VPNLens.Core.Runs;
using VPNLens.Tests.Infrastructure;
using VPNLens.Web.Alerts;
using VPNLens.Web.Components.Pages;
using VPNLens.Web.Components.Runs;
using VPNLens.Web.History;
using VPNLens.Web.Runs;

namespace VPNLens.Tests.Web.Components.Pages;

/// <summary>The dashboard follows run events without reading every node again: what it reads per event does not grow with the nodes.</summary>
public sealed class HomeTests : MudTestContext, IAsyncLifetime
{
    private const int Nodes = 8;

    // The longest the dashboard may hold events back before it shows them.
    private static readonly TimeSpan Window = TimeSpan.FromMilliseconds(250);
    private readonly FakeTimeProvider time = new(new DateTimeOffset(2026, 12, 5, 12, 0, 0, TimeSpan.Zero));
    private readonly List<Node> nodes = [];
    private SqlCommandCounter commands = null!;
    private Run running = null!;

    public async ValueTask InitializeAsync()
    {
        commands = new SqlCommandCounter(() => DatabaseMarker);
        await UseAppServicesAsync();
        Services.AddSingleton<TimeProvider>(time);
        Services.AddSingleton<AlertBoard>();
        Services.AddSingleton<SeriesReader>();
        Services.AddSingleton<NodeTrends>();
        for (var i = 0; i < Nodes; i++)
        {
            nodes.Add(Seed.Node($"node{i}"));
        }

        running = Seed.Run(nodes[0].Id, RunState.Running, protocols: ["wireguard"]);
        await Database.AddAsync([.. nodes, running]);
    }

    async ValueTask IAsyncDisposable.DisposeAsync()
    {
        commands.Dispose();
        await DisposeAsync();
    }

    [Fact]
    public async Task A_recorded_phase_moves_its_run_progress_without_reading_the_database()
    {
        var page = RenderLoaded();
        Assert.Contains("0/", Progress(page), StringComparison.Ordinal);
        var phase = await StorePhaseAsync(Phase.StopEverything);
        commands.Reset();

        await Events.PublishAsync(new PhaseRecorded(running.Id, phase));

        await UntilShownAsync(() => Progress(page).Contains(" 1/", StringComparison.Ordinal), "the phase counted");
        Assert.StartsWith("Direct (no VPN) · Bring up · 1/", Progress(page), StringComparison.Ordinal);
        Assert.Equal(0, commands.Count);
    }

    [Fact]
    public async Task A_recorded_phase_renders_its_node_card_again_and_nothing_else()
    {
        var page = RenderLoaded();
        var before = RenderCounts(page);
        var phase = await StorePhaseAsync(Phase.StopEverything);

        await Events.PublishAsync(new PhaseRecorded(running.Id, phase));

        await UntilShownAsync(() => Progress(page).Contains(" 1/", StringComparison.Ordinal), "the phase counted");
        var after = RenderCounts(page);
        Assert.True(after[nodes[0].Name] > before[nodes[0].Name], "the running node's card was not rendered again");
        Assert.Equal(before.Where(c => c.Key != nodes[0].Name), after.Where(c => c.Key != nodes[0].Name));
    }

    [Fact]
    public async Task A_change_of_state_reads_that_run_and_its_node_however_many_nodes_there_are()
    {
        var queued = Seed.Run(nodes[Nodes - 1].Id, RunState.Queued, protocols: ["wireguard"]);
        await Database.AddAsync(queued);
        var page = RenderLoaded();
        Assert.Equal("idle", NodeState(page, nodes[Nodes - 1]));
        Assert.Single(page.FindAll("[data-testid=queue-entry]"));
        await Database.WithDbAsync(db => db.Runs.Where(r => r.Id == queued.Id).ExecuteUpdateAsync(s => s
            .SetProperty(r => r.State, RunState.Running).SetProperty(r => r.StartedAt, time.GetUtcNow())));
        commands.Reset();

        await Events.PublishAsync(new RunStateChanged(queued.Id, RunState.Running, null));

        await UntilShownAsync(() => NodeState(page, nodes[Nodes - 1]) == "running", "the node shown running");
        Assert.Empty(page.FindAll("[data-testid=queue-entry]"));
        Assert.Equal("running", NodeState(page, nodes[0]));
        Assert.InRange(commands.Count, 1, 5);
    }

    [Fact]
    public async Task The_first_phase_after_a_quiet_spell_is_shown_at_once_and_the_rest_of_a_burst_in_one_step_at_the_window_end()
    {
        var page = RenderLoaded();
        var shown = new List<string>();
        page.OnMarkupUpdated += (_, _) =>
        {
            var progress = Progress(page);
            if (shown.LastOrDefault() != progress)
            {
                shown.Add(progress);
            }
        };
        var phases = new List<PhaseEvent>();
        foreach (var name in Phase.InOrder.Take(10))
        {
            phases.Add(await StorePhaseAsync(name));
        }

        await Events.PublishAsync(new PhaseRecorded(running.Id, phases[0]));
        await RunWaits.UntilAsync(() => Progress(page).Contains(" 1/", StringComparison.Ordinal), TimeSpan.FromSeconds(10), "the first phase shown with no time passing");

        foreach (var phase in phases.Skip(1))
        {
            await Events.PublishAsync(new PhaseRecorded(running.Id, phase));
        }

        await RunWaits.UntilAsync(() => page.Instance.PendingEvents == phases.Count - 1, TimeSpan.FromSeconds(10), "every later phase handed to the page");
        time.Advance(Home.CoalesceWindow - TimeSpan.FromMilliseconds(1));
        Assert.Equal(phases.Count - 1, page.Instance.PendingEvents);
        time.Advance(TimeSpan.FromMilliseconds(1));

        page.WaitForAssertion(() => Assert.Contains(" 10/", Progress(page), StringComparison.Ordinal));
        Assert.Equal(2, shown.Count);
    }

    [Fact]
    public async Task Two_dashboards_show_what_they_held_back_at_different_instants()
    {
        var first = RenderLoaded();
        var second = RenderLoaded();
        var phases = new List<PhaseEvent>();
        foreach (var name in Phase.InOrder.Take(3))
        {
            phases.Add(await StorePhaseAsync(name));
        }

        await Events.PublishAsync(new PhaseRecorded(running.Id, phases[0]));
        await RunWaits.UntilAsync(
            () => Progress(first).Contains(" 1/", StringComparison.Ordinal) && Progress(second).Contains(" 1/", StringComparison.Ordinal),
            TimeSpan.FromSeconds(10),
            "the first phase shown at once on both");
        foreach (var phase in phases.Skip(1))
        {
            await Events.PublishAsync(new PhaseRecorded(running.Id, phase));
        }

        await RunWaits.UntilAsync(
            () => first.Instance.PendingEvents == 2 && second.Instance.PendingEvents == 2, TimeSpan.FromSeconds(10), "the later phases handed to both");
        time.Advance(Home.CoalesceWindow);
        first.WaitForAssertion(() => Assert.Contains(" 3/", Progress(first), StringComparison.Ordinal));
        Assert.Equal(2, second.Instance.PendingEvents);

        time.Advance(Home.CoalesceWindow);
        second.WaitForAssertion(() => Assert.Contains(" 3/", Progress(second), StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_newly_queued_run_joins_the_queue_and_the_recent_runs()
    {
        var page = RenderLoaded();
        Assert.Empty(page.FindAll("[data-testid=queue-entry]"));
        var queued = Seed.Run(nodes[2].Id, RunState.Queued, protocols: ["wireguard"]);
        queued.QueuedAt = running.QueuedAt.AddMinutes(1);
        await Database.AddAsync(queued);

        await Events.PublishAsync(new RunStateChanged(queued.Id, RunState.Queued, null));

        await UntilShownAsync(() => page.FindAll("[data-testid=queue-entry]").Count == 1, "the run queued");
        Assert.Equal(queued.Id.ToString(), page.Find("[data-testid=queue-entry]").GetAttribute("data-run"));
        Assert.Equal([queued.Id.ToString(), running.Id.ToString()], page.FindAll("[data-testid=recent-run]").Select(r => r.GetAttribute("data-run")));
    }

    private IRenderedComponent<Home> RenderLoaded()
    {
        var page = Render<Home>();
        page.WaitForState(() => page.FindAll("[data-testid=node-card]").Count == Nodes);
        return page;
    }

    /// <summary>How often each node card, the run form and the two tables have been rendered so far.</summary>
    private static Dictionary<string, int> RenderCounts(IRenderedComponent<Home> page)
    {
        var counts = page.FindComponents<MudPaper>()
            .Where(p => p.Instance.UserAttributes.ContainsKey("data-node"))
            .ToDictionary(p => (string)p.Instance.UserAttributes["data-node"]!, p => p.RenderCount);
        counts["run form"] = page.FindComponent<RunForm>().RenderCount;
        foreach (var table in page.FindComponents<MudSimpleTable>())
        {
            counts[(string)table.Instance.UserAttributes["data-testid"]!] = table.RenderCount;
        }

        return counts;
    }

    /// <summary>Lets time pass, a window at a time, until the page shows what is expected.</summary>
    private Task UntilShownAsync(Func<bool> shown, string what) => RunWaits.UntilAsync(
        () =>
        {
            time.Advance(Window);
            return shown();
        },
        TimeSpan.FromSeconds(10),
        what);

    private async Task<PhaseEvent> StorePhaseAsync(string name)
    {
        var phase = new PhaseEvent
        {
            RunId = running.Id,
            Protocol = Protocols.Direct,
            Phase = name,
            Status = PhaseStatus.Succeeded,
            StartedAt = time.GetUtcNow(),
            EndedAt = time.GetUtcNow().AddSeconds(1),
            ReceivedAt = time.GetUtcNow(),
        };
        await Database.AddAsync(phase);
        return phase;
    }

    private string Progress(IRenderedComponent<Home> page) =>
        page.FindAll($"[data-testid=node-card][data-node={nodes[0].Name}] [data-testid=node-progress]").SingleOrDefault()?.TextContent ?? "";

    private static string? NodeState(IRenderedComponent<Home> page, Node node) =>
        page.FindAll($"[data-testid=node-card][data-node={node.Name}] [data-testid=node-state]").SingleOrDefault()?.GetAttribute("data-state");
}
