using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.EntityFrameworkCore;
using MudBlazor;
using VPNLens.Core.Phases;
using VPNLens.Core.Runs;
using VPNLens.Tests.Infrastructure;
using VPNLens.Web.Components.Figures;
using VPNLens.Web.Components.Pages;
using VPNLens.Web.Figures;
using VPNLens.Web.Runs;

namespace VPNLens.Tests.Web.Components.Pages;

public sealed class ResultsPageTests : MudTestContext, IAsyncLifetime
{
    private Run run = null!;

    public async ValueTask InitializeAsync()
    {
        await UseAppServicesAsync();
        var node = Seed.Node("node1");
        run = Seed.Run(node.Id, RunState.Running, protocols: ["wireguard", "tailscale", "nebula"]);
        await Database.AddAsync(node, run);
    }

    ValueTask IAsyncDisposable.DisposeAsync() => DisposeAsync();

    [Fact]
    public void An_unknown_token_says_so()
    {
        var page = Render<ResultsPage>(p => p.Add(x => x.Token, "no-such-token"));

        Assert.Contains("No run has this permalink", page.Find("[data-testid=not-found]").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task While_the_run_is_going_the_permalink_follows_it_and_then_shows_the_results()
    {
        var page = Render<ResultsPage>(p => p.Add(x => x.Token, run.PublicToken));
        Assert.Contains("This run is in progress.", page.Find("[data-testid=live-status]").TextContent, StringComparison.Ordinal);
        Assert.Empty(page.FindAll("[data-testid=headline]"));

        var phase = new PhaseEvent { RunId = run.Id, Protocol = "direct", Phase = Phase.StopEverything, Status = PhaseStatus.Succeeded, StartedAt = DateTimeOffset.UtcNow, EndedAt = DateTimeOffset.UtcNow };
        await Database.AddAsync(phase);
        await Events.PublishAsync(new PhaseRecorded(run.Id, phase));
        page.WaitForAssertion(() => Assert.Equal("succeeded", page.Find("[data-protocol=direct] [data-phase=stop_everything]").GetAttribute("data-state")));

        await Database.WithDbAsync(db => db.Runs.Where(r => r.Id == run.Id).ExecuteUpdateAsync(s => s
            .SetProperty(r => r.State, RunState.Succeeded)
            .SetProperty(r => r.FinishedAt, DateTimeOffset.UtcNow)
            .SetProperty(r => r.ResultsJson, Fixtures.FourProtocols())));
        await Events.PublishAsync(new RunStateChanged(run.Id, RunState.Succeeded, null));

        page.WaitForAssertion(() => Assert.Equal(4, page.FindAll("[data-testid=headline]").Count));
        Assert.Empty(page.FindAll("[data-testid=live-status]"));
        Assert.Equal($"/r/{run.PublicToken}/results.csv", page.Find("[data-testid=download-csv]").GetAttribute("href"));
        Assert.Equal($"/r/{run.PublicToken}/results.json", page.Find("[data-testid=download-json]").GetAttribute("href"));
        Assert.Contains("One protocol failed", page.Find("[data-testid=run-failure]").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void A_live_page_is_drawn_by_a_handful_of_components()
    {
        // Every open circuit on a live run holds this tree (and two render trees per component): a Mud component
        // creeping back into the live status or the phase board shows up here, not only in the memory benchmark.
        var page = Render<ResultsPage>(p => p.Add(x => x.Token, run.PublicToken));

        Assert.Equal(
            ["PageTitle", "SectionContent", "RunStateChip", "LocalTime", "RunClock", "LocalTime", "PhaseBoard"],
            page.FindComponents<IComponent>().Select(c => c.Instance.GetType().Name));
        var overall = page.Find("[data-testid=live-status] + .mud-paper [role=progressbar]");
        Assert.Equal("0", overall.GetAttribute("aria-valuenow"));
        Assert.Equal("transform: translateX(-100%);", overall.QuerySelector(".mud-progress-linear-bar")!.GetAttribute("style"));
    }

    [Fact]
    public async Task The_charts_plot_each_protocols_seconds_on_one_axis_and_each_tunnels_throughput_with_its_spread()
    {
        await Database.WithDbAsync(db => db.Runs.Where(r => r.Id == run.Id).ExecuteUpdateAsync(s => s
            .SetProperty(r => r.State, RunState.Succeeded).SetProperty(r => r.ResultsJson, Fixtures.FourProtocols())));

        var page = Render<ResultsPage>(p => p.Add(x => x.Token, run.PublicToken));

        Assert.Equal(["direct", "wireguard", "nebula"], page.FindAll("[data-testid=time-chart]").Select(c => c.GetAttribute("data-protocol")));
        Assert.Single(page.FindAll("[data-testid=time-chart]").Select(c => c.GetAttribute("data-y-max")).Distinct());
        var bars = System.Text.Json.JsonDocument.Parse(page.Find("[data-testid=throughput-bars] canvas").GetAttribute("data-chart")!).RootElement;
        Assert.Equal("bars", bars.GetProperty("kind").GetString());
        Assert.Equal(["WireGuard", "Headscale/Tailscale (failed)", "Nebula"], bars.GetProperty("labels").EnumerateArray().Select(l => l.GetString()));
        Assert.Equal(2, bars.GetProperty("references").GetArrayLength());
        Assert.Equal(["idle", "loaded"], page.FindAll("[data-testid=latency-cdf]").Select(c => c.GetAttribute("data-load")));
        Assert.All(page.FindAll("canvas[data-chart]"), canvas => Assert.False(string.IsNullOrWhiteSpace(canvas.GetAttribute("aria-label"))));
    }

    [Fact]
    public async Task A_run_past_retention_says_its_per_second_samples_were_removed_instead_of_drawing_empty_charts()
    {
        var thinned = VPNLens.Core.Retention.RawSamples.RemoveFromResults(Fixtures.FourProtocols(), DateTimeOffset.Parse("2026-11-05T08:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        await Database.WithDbAsync(db => db.Runs.Where(r => r.Id == run.Id).ExecuteUpdateAsync(s => s
            .SetProperty(r => r.State, RunState.Succeeded).SetProperty(r => r.ResultsJson, thinned)));

        var page = Render<ResultsPage>(p => p.Add(x => x.Token, run.PublicToken));

        Assert.Contains("Per-second samples removed on 2026-11-05", page.Find("[data-testid=samples-removed]").TextContent, StringComparison.Ordinal);
        Assert.Empty(page.FindAll("[data-testid=time-chart]"));
        Assert.Equal(4, page.FindAll("[data-testid=headline]").Count);
        Assert.NotNull(page.Find("[data-testid=throughput-bars]"));
        Assert.Equal(2, page.FindAll("[data-testid=latency-cdf]").Count);
    }
}
