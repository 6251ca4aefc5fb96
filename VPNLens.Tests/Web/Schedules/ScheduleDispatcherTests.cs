using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using VPNLens.Core.Runs;
using VPNLens.Core.Schedules;
using VPNLens.Tests.Infrastructure;
using VPNLens.Web.Runs;
using VPNLens.Web.Schedules;

namespace VPNLens.Tests.Web.Schedules;

[Collection(AppCollection.Name)]
public sealed class ScheduleDispatcherTests : IAsyncLifetime
{
    private readonly FakeTimeProvider time = new(ScheduleAppTests.Start);
    private readonly VpnLensApp app;
    private Guid scheduleId;

    public ScheduleDispatcherTests() => app = ScheduleAppTests.Create(time);

    private ScheduleDispatcher Dispatcher => app.Services.GetRequiredService<ScheduleDispatcher>();

    public async ValueTask InitializeAsync()
    {
        var node = Seed.Node();
        var schedule = new Schedule { NodeId = node.Id, Protocols = ["wireguard"], Cron = "0 * * * *", Email = "ops@example.com", CreatedAt = time.GetUtcNow() };
        scheduleId = schedule.Id;
        await app.WithDbAsync(async db =>
        {
            db.Nodes.Add(node);
            db.Schedules.Add(schedule);
            await db.SaveChangesAsync();
        });
    }

    public ValueTask DisposeAsync() => app.DisposeAsync();

    /// <summary>What the schedule's recurring job does when Hangfire fires it (for the fake clock's now, unless said).</summary>
    private Task FireAsync(DateTimeOffset? firedAt = null) => Dispatcher.DispatchAsync(scheduleId, firedAt, TestContext.Current.CancellationToken);

    private Task<List<ScheduledRun>> ScheduledRunsAsync() => app.WithDbAsync(db => db.ScheduledRuns.OrderBy(s => s.Id).ToListAsync());

    private Task<int> EndAsync(Guid runId) => app.WithDbAsync(db =>
        db.Runs.Where(r => r.Id == runId).ExecuteUpdateAsync(s => s.SetProperty(r => r.State, RunState.Succeeded).SetProperty(r => r.FinishedAt, time.GetUtcNow())));

    [Fact]
    public async Task A_run_is_queued_at_each_occurrence_and_not_before()
    {
        time.Advance(TimeSpan.FromMinutes(59));
        await FireAsync();
        Assert.Empty(await ScheduledRunsAsync());

        time.Advance(TimeSpan.FromMinutes(1));
        await FireAsync();

        var queued = Assert.Single(await ScheduledRunsAsync());
        Assert.Equal(new DateTimeOffset(2026, 12, 5, 13, 0, 0, TimeSpan.Zero), queued.Occurrence);
        var run = await app.WithDbAsync(db => db.Runs.SingleAsync(r => r.Id == queued.RunId));
        Assert.Equal(["direct", "wireguard"], run.Protocols);
        Assert.Equal(time.GetUtcNow(), run.QueuedAt);
        Assert.Contains(run.State, new[] { RunState.Queued, RunState.Running }); // dispatch may have started it already
    }

    [Fact]
    public async Task A_scheduled_run_is_queued_with_the_schedules_settings_over_the_configured_defaults()
    {
        await app.WithDbAsync(async db =>
        {
            var schedule = await db.Schedules.SingleAsync(s => s.Id == scheduleId);
            schedule.Settings = new RunSettingsRequest(TcpSeconds: 30, UdpSeconds: null, Repeats: 5, MaxRepeats: null, UdpTargetMbps: 250, PingCount: null);
            await db.SaveChangesAsync();
        });
        time.Advance(TimeSpan.FromHours(1));

        await FireAsync();

        var queued = Assert.Single(await ScheduledRunsAsync());
        var run = await app.WithDbAsync(db => db.Runs.SingleAsync(r => r.Id == queued.RunId));
        var defaults = app.Services.GetRequiredService<RunQueue>().DefaultSettings;
        Assert.Equal(defaults with { TcpSeconds = 30, Repeats = 5, UdpTargetMbps = 250 }, run.Settings);
    }

    [Fact]
    public async Task Occurrences_missed_while_the_app_was_down_give_one_catch_up_run()
    {
        time.Advance(TimeSpan.FromHours(10));
        await FireAsync();
        await FireAsync();

        var queued = Assert.Single(await ScheduledRunsAsync());
        Assert.Equal(new DateTimeOffset(2026, 12, 5, 22, 0, 0, TimeSpan.Zero), queued.Occurrence);
    }

    [Fact]
    public async Task A_schedule_whose_previous_run_has_not_ended_does_not_stack_another()
    {
        time.Advance(TimeSpan.FromMinutes(30));
        await FireAsync();
        time.Advance(TimeSpan.FromHours(1));
        await FireAsync();

        var first = Assert.Single(await ScheduledRunsAsync());
        await EndAsync(first.RunId);
        await FireAsync();
        Assert.Single(await ScheduledRunsAsync());

        time.Advance(TimeSpan.FromHours(1));
        await FireAsync();
        Assert.Equal(2, (await ScheduledRunsAsync()).Count);
    }

    /// <summary>Two instances' workers (or Hangfire's Strict misfire handling) running the job at once queue one run.</summary>
    [Fact]
    public async Task Overlapping_fires_queue_one_run_for_an_occurrence()
    {
        time.Advance(TimeSpan.FromHours(1));

        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => FireAsync()));

        Assert.Single(await ScheduledRunsAsync());
        Assert.Equal(1, await app.WithDbAsync(db => db.Runs.CountAsync()));
    }

    /// <summary>
    /// Hangfire may fire a recurring job again for an occurrence it already fired (a retry, a trigger, a second
    /// scheduler, a misfire at start): the claim, not the previous run still going, keeps it to one run.
    /// </summary>
    [Fact]
    public async Task An_occurrence_fired_again_after_its_run_ended_queues_nothing_more()
    {
        time.Advance(TimeSpan.FromHours(1));
        var occurrence = new DateTimeOffset(2026, 12, 5, 13, 0, 0, TimeSpan.Zero);
        await FireAsync(occurrence);
        await EndAsync(Assert.Single(await ScheduledRunsAsync()).RunId);

        await FireAsync(occurrence);
        await FireAsync();

        Assert.Single(await ScheduledRunsAsync());
    }

    /// <summary>The scheduler's clock (another instance's, the database's) ahead of this one: the occurrence it fired for is queued, not skipped.</summary>
    [Fact]
    public async Task A_fire_from_a_clock_a_little_ahead_queues_the_occurrence_it_fired_for()
    {
        time.Advance(TimeSpan.FromMinutes(59) + TimeSpan.FromSeconds(29.5));
        var occurrence = new DateTimeOffset(2026, 12, 5, 13, 0, 0, TimeSpan.Zero);

        await FireAsync(occurrence);

        Assert.Equal(occurrence, Assert.Single(await ScheduledRunsAsync()).Occurrence);
    }

    [Fact]
    public async Task A_paused_schedule_queues_nothing()
    {
        await app.WithDbAsync(db => db.Schedules.Where(s => s.Id == scheduleId).ExecuteUpdateAsync(s => s.SetProperty(x => x.Paused, true)));
        time.Advance(TimeSpan.FromHours(3));
        await FireAsync();

        Assert.Empty(await ScheduledRunsAsync());
    }

    [Fact]
    public async Task The_job_of_a_deleted_schedule_queues_nothing()
    {
        await app.WithDbAsync(db => db.Schedules.Where(s => s.Id == scheduleId).ExecuteDeleteAsync());
        time.Advance(TimeSpan.FromHours(3));
        await FireAsync();

        Assert.Equal(0, await app.WithDbAsync(db => db.Runs.CountAsync()));
    }
}
