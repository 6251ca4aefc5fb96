using Bunit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using VPNLens.Core.Phases;
using VPNLens.Core.Runs;
using VPNLens.Tests.Infrastructure;
using VPNLens.Web.Components.Runs;

namespace VPNLens.Tests.Web.Components.Runs;

public sealed class RunClockTests : MudTestContext
{
    private readonly FakeTimeProvider time = new(new DateTimeOffset(2026, 12, 5, 8, 0, 0, TimeSpan.Zero));

    public RunClockTests() => Services.AddSingleton<TimeProvider>(time);

    [Fact]
    public void A_running_run_shows_elapsed_time_what_is_left_and_its_deadline_named_as_a_deadline()
    {
        var run = Seed.Run(Guid.NewGuid(), RunState.Running, protocols: ["wireguard"]);
        run.StartedAt = time.GetUtcNow();
        run.DeadlineAt = time.GetUtcNow().AddMinutes(10);
        var progress = RunProgress.Of(run.Protocols, [], run.State, started: true);
        time.Advance(TimeSpan.FromSeconds(75));

        var clock = Render<RunClock>(p => p.Add(x => x.Run, run).Add(x => x.Progress, progress).Add(x => x.Tick, true));

        Assert.Contains("Elapsed 1 min 15 s", clock.Find("[data-testid=elapsed]").TextContent, StringComparison.Ordinal);
        Assert.Matches(@"about \d+ min left", clock.Find("[data-testid=estimate]").TextContent);
        Assert.Contains("deadline 2026-12-05 08:10:00 UTC", clock.Find("[data-testid=deadline]").TextContent, StringComparison.Ordinal);

        time.Advance(TimeSpan.FromSeconds(60));
        clock.WaitForAssertion(() => Assert.Contains("Elapsed 2 min 15 s", clock.Find("[data-testid=elapsed]").TextContent, StringComparison.Ordinal));
    }

    [Fact]
    public void A_queued_run_says_how_long_it_should_take()
    {
        var run = Seed.Run(Guid.NewGuid(), RunState.Queued, protocols: ["wireguard"]);
        var progress = RunProgress.Of(run.Protocols, [], run.State, started: false);

        var clock = Render<RunClock>(p => p.Add(x => x.Run, run).Add(x => x.Progress, progress));

        Assert.Matches(@"Expected to take about \d+ min once it starts", clock.Find("[data-testid=estimate]").TextContent);
        Assert.Empty(clock.FindAll("[data-testid=elapsed]"));
    }
}
