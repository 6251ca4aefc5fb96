using Bunit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using VPNLens.Core.Phases;
using VPNLens.Core.Runs;
using VPNLens.Tests.Infrastructure;
using VPNLens.Web.Components.Pages;
using VPNLens.Web.Persistence;
using VPNLens.Web.Runs;

namespace VPNLens.Tests.Web.Components.Pages;

public sealed class RunPageTests : MudTestContext, IAsyncLifetime
{
    private static readonly DateTimeOffset Start = new(2026, 11, 25, 8, 0, 0, TimeSpan.Zero);
    private Run run = null!;

    public async ValueTask InitializeAsync()
    {
        await UseAppServicesAsync();
        var node = Seed.Node();
        run = Seed.Run(node.Id, RunState.Running, protocols: ["wireguard"]);
        await Database.AddAsync(node, run);
    }

    ValueTask IAsyncDisposable.DisposeAsync() => DisposeAsync();

    [Fact]
    public void A_running_run_with_no_phase_yet_shows_the_first_phase_running_and_the_rest_pending()
    {
        var page = Render<RunPage>(p => p.Add(x => x.RunId, run.Id));

        Assert.Equal("running", StateOf(page, "direct", Phase.StopEverything));
        Assert.Equal("pending", StateOf(page, "direct", Phase.BringUp));
        Assert.Equal("pending", StateOf(page, "wireguard", Phase.StopEverything));
        Assert.Contains("0 of 36 phases", page.Find("[data-testid=progress-text]").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_pushed_phase_event_updates_the_phase_list_without_reloading()
    {
        var page = Render<RunPage>(p => p.Add(x => x.RunId, run.Id));

        var phase = await StoreAsync("direct", Phase.StopEverything, PhaseStatus.Succeeded, "all clear");
        await Events.PublishAsync(new PhaseRecorded(run.Id, phase));

        page.WaitForAssertion(() => Assert.Equal("succeeded", StateOf(page, "direct", Phase.StopEverything)));
        Assert.Equal("running", StateOf(page, "direct", Phase.BringUp));
        var row = Row(page, "direct", Phase.StopEverything);
        Assert.Contains("1.5 s", row.TextContent, StringComparison.Ordinal);
        Assert.Contains("all clear", row.TextContent, StringComparison.Ordinal);
        Assert.Contains("now: Direct (no VPN) · Bring up", page.Find("[data-testid=progress-text]").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Events_for_other_runs_change_nothing()
    {
        var page = Render<RunPage>(p => p.Add(x => x.RunId, run.Id));
        var other = Seed.Run(run.NodeId, RunState.Running);
        await Database.AddAsync(other);

        await Events.PublishAsync(new PhaseRecorded(other.Id, new PhaseEvent { Id = 999, RunId = other.Id, Protocol = "wireguard", Phase = Phase.StopEverything, Status = PhaseStatus.Succeeded }));

        // Events reach a subscriber in order: once this run's own event shows, the other run's has been handled.
        var own = await StoreAsync("direct", Phase.StopEverything, PhaseStatus.Succeeded);
        await Events.PublishAsync(new PhaseRecorded(run.Id, own));
        page.WaitForAssertion(() => Assert.Equal("succeeded", StateOf(page, "direct", Phase.StopEverything)));
        Assert.Equal("pending", StateOf(page, "wireguard", Phase.StopEverything));
    }

    [Fact]
    public async Task A_second_tab_opened_later_shows_the_same_phases_from_the_database()
    {
        await StoreAsync("direct", Phase.StopEverything, PhaseStatus.Succeeded);
        await StoreAsync("direct", Phase.BringUp, PhaseStatus.Succeeded);
        await StoreAsync("direct", Phase.RungInterface, PhaseStatus.Failed, "vlwg-n1 did not appear within 30 s");

        var page = Render<RunPage>(p => p.Add(x => x.RunId, run.Id));

        Assert.Equal("succeeded", StateOf(page, "direct", Phase.BringUp));
        Assert.Equal("failed", StateOf(page, "direct", Phase.RungInterface));
        Assert.Equal("notrun", StateOf(page, "direct", Phase.RungIp));
        Assert.Equal("running", StateOf(page, "direct", Phase.Teardown));
        Assert.Contains("vlwg-n1 did not appear within 30 s", page.Find("[data-testid=failed-phase]").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_timed_out_run_says_why_and_which_phase_it_stopped_in()
    {
        await StoreAsync("direct", Phase.StopEverything, PhaseStatus.Succeeded);
        var page = Render<RunPage>(p => p.Add(x => x.RunId, run.Id));
        const string Reason = "No results within the 10-minute deadline; the node's script was stopped and its VPNs torn down.";

        await Database.WithDbAsync(db => db.Runs.Where(r => r.Id == run.Id).ExecuteUpdateAsync(s => s
            .SetProperty(r => r.State, RunState.TimedOut).SetProperty(r => r.FailureReason, Reason).SetProperty(r => r.FinishedAt, Start)));
        await Events.PublishAsync(new RunStateChanged(run.Id, RunState.TimedOut, Reason));

        page.WaitForAssertion(() => Assert.Equal("timedout", page.Find("[data-testid=run-state]").GetAttribute("data-state")));
        Assert.Equal(Reason, page.Find("[data-testid=failure-reason]").TextContent.Trim());
        Assert.Contains("Direct (no VPN) · Bring up", page.Find("[data-testid=failed-phase]").TextContent, StringComparison.Ordinal);
        Assert.Equal("interrupted", StateOf(page, "direct", Phase.BringUp));
        Assert.Empty(page.FindAll("[data-testid=cancel-run]"));
    }

    [Fact]
    public void A_render_while_the_page_is_still_reading_shows_nothing_half_read()
    {
        // The page reads the run, then its node's typical phase durations. SQLite answers the first read at once, so the
        // first render falls inside the held second one (PostgreSQL answers later, and once a render showed a run without
        // its progress: a 500).
        var reads = new HoldingFactory(Database.Factory, held: 2);
        Services.AddSingleton<IDbContextFactory<AppDbContext>>(reads);

        var page = Render<RunPage>(p => p.Add(x => x.RunId, run.Id));

        Assert.True(reads.IsHolding, "the page rendered before its second read began, so this test checks nothing");
        Assert.Empty(page.FindAll("[data-testid=progress-text]"));
        reads.Release();
        page.WaitForAssertion(() => Assert.Contains("0 of 36 phases", page.Find("[data-testid=progress-text]").TextContent, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Cancelling_asks_once_more_then_ends_the_run()
    {
        var page = Render<RunPage>(p => p.Add(x => x.RunId, run.Id));

        page.Find("[data-testid=cancel-run]").Click();
        page.Find("[data-testid=confirm-cancel]").Click();

        page.WaitForAssertion(() => Assert.Equal("cancelled", page.Find("[data-testid=run-state]").GetAttribute("data-state")));
        Assert.Equal(RunState.Cancelled, await Database.WithDbAsync(db => db.Runs.Where(r => r.Id == run.Id).Select(r => r.State).SingleAsync()));
    }

    private async Task<PhaseEvent> StoreAsync(string protocol, string phase, PhaseStatus status, string? detail = null)
    {
        var stored = new PhaseEvent
        {
            RunId = run.Id,
            Protocol = protocol,
            Phase = phase,
            Status = status,
            StartedAt = Start,
            EndedAt = Start.AddMilliseconds(1500),
            Detail = detail,
            ReceivedAt = Start,
        };
        await Database.AddAsync(stored);
        return stored;
    }

    private static AngleSharp.Dom.IElement Row(IRenderedComponent<RunPage> page, string protocol, string phase) =>
        page.Find($"[data-testid=protocol-phases][data-protocol={protocol}] [data-phase={phase}]");

    private static string? StateOf(IRenderedComponent<RunPage> page, string protocol, string phase) =>
        Row(page, protocol, phase).GetAttribute("data-state");

    /// <summary>Hands out the inner factory's contexts, but holds the <paramref name="held"/>-th request until <see cref="Release"/>.</summary>
    private sealed class HoldingFactory(IDbContextFactory<AppDbContext> inner, int held) : IDbContextFactory<AppDbContext>
    {
        private readonly TaskCompletionSource release = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int requests;

        public bool IsHolding => Volatile.Read(ref requests) >= held && !release.Task.IsCompleted;

        public void Release() => release.TrySetResult();

        public AppDbContext CreateDbContext() => inner.CreateDbContext();

        public async Task<AppDbContext> CreateDbContextAsync(CancellationToken cancellationToken = default)
        {
            if (Interlocked.Increment(ref requests) == held)
            {
                await release.Task.WaitAsync(cancellationToken);
            }

            return await inner.CreateDbContextAsync(cancellationToken);
        }
    }
}
