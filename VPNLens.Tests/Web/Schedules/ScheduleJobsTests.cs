using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Hangfire;
using Hangfire.States;
using Hangfire.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using VPNLens.Core.Runs;
using VPNLens.Core.Schedules;
using VPNLens.Tests.Infrastructure;
using VPNLens.Web.Persistence;
using VPNLens.Web.Schedules;

namespace VPNLens.Tests.Web.Schedules;

/// <summary>
/// Each schedule's Hangfire recurring job on the app's own Hangfire storage and server: the job set follows the
/// schedules through the API and at start, and the job a worker runs goes through the dispatcher's rules.
/// </summary>
[Collection(AppCollection.Name)]
public sealed class ScheduleJobsTests : IAsyncLifetime
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);

    private readonly FakeTimeProvider time = new(ScheduleAppTests.Start);
    private readonly string data = Directory.CreateTempSubdirectory("vpnlens-schedule-jobs-").FullName;
    private readonly List<VpnLensApp> apps = [];
    private Guid nodeId;

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        foreach (var app in apps)
        {
            await app.DisposeAsync();
        }

        if (TestPostgres.SuiteProvider == DatabaseProvider.Postgres)
        {
            TestPostgres.DropDatabase(TestPostgres.DatabaseNameFor(data));
        }

        try
        {
            Directory.Delete(data, recursive: true);
        }
        catch (IOException)
        {
            // the OS cleans the temp folder
        }
    }

    [Fact]
    public async Task The_job_set_follows_create_edit_pause_resume_and_delete()
    {
        var app = await StartAsync();
        using var client = app.CreateApiClient();
        var ct = TestContext.Current.CancellationToken;

        var before = DateTimeOffset.UtcNow;
        using var created = await client.PostAsJsonAsync("/api/schedules", Body("0 3 * * *", "Europe/Berlin"), ct);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var location = created.Headers.Location!.ToString();
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("id").GetGuid();
        var job = Assert.Single(Jobs(app));
        Assert.Equal((ScheduleJobs.IdOf(id), "0 3 * * *", "Europe/Berlin"), (job.Id, job.Cron, job.TimeZoneId));
        Assert.Equal(typeof(ScheduleJob), job.Job.Type);
        Assert.Equal<object>(id, job.Job.Args[0]);

        // Hangfire counts on its own clock, in the schedule's zone, as the preview does
        var berlin = ScheduleClock.FindZone("Europe/Berlin")!;
        Assert.Equal(ScheduleClock.NextAfter(ScheduleClock.TryParse("0 3 * * *", out _)!, before, berlin)!.Value.UtcDateTime, job.NextExecution);

        using var edited = await client.PutAsJsonAsync(location, Body("*/15 * * * *", "UTC"), ct);
        Assert.Equal(HttpStatusCode.OK, edited.StatusCode);
        job = Assert.Single(Jobs(app));
        Assert.Equal(("*/15 * * * *", "UTC"), (job.Cron, job.TimeZoneId));

        using var paused = await client.PostAsync(location + "/pause", null, ct);
        Assert.Empty(Jobs(app));
        using var resumed = await client.PostAsync(location + "/resume", null, ct);
        Assert.Equal(ScheduleJobs.IdOf(id), Assert.Single(Jobs(app)).Id);

        using var deleted = await client.DeleteAsync(location, ct);
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Empty(Jobs(app));
    }

    [Fact]
    public async Task Deleting_a_node_removes_its_schedules_jobs()
    {
        var app = await StartAsync();
        using var client = app.CreateApiClient();
        var ct = TestContext.Current.CancellationToken;
        using var created = await client.PostAsJsonAsync("/api/schedules", Body("0 * * * *", "UTC"), ct);
        Assert.Single(Jobs(app));

        using var deleted = await client.DeleteAsync($"/api/nodes/{nodeId}", ct);

        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Empty(Jobs(app));
    }

    /// <summary>
    /// The recurring job fired for one occurrence again and again, each time run by a Hangfire worker as the
    /// scheduler's would be (twice at once, as by two instances; once more after the run ended, as by a retry or by
    /// Hangfire's misfire handling and the start-up trigger both): the claim keeps it to one run. Hangfire fires by the
    /// real clock, so the occurrence is the latest hour of the later of the two clocks.
    /// </summary>
    [Fact]
    public async Task A_job_fired_again_for_one_occurrence_queues_one_run()
    {
        var app = await StartAsync();
        using var client = app.CreateApiClient();
        var ct = TestContext.Current.CancellationToken;
        using var created = await client.PostAsJsonAsync("/api/schedules", Body("0 * * * *", "UTC"), ct);
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("id").GetGuid();
        time.Advance(TimeSpan.FromHours(1));
        var manager = app.Services.GetRequiredService<IRecurringJobManagerV2>();

        await WaitForSucceededAsync(app, [manager.TriggerJob(ScheduleJobs.IdOf(id))!, manager.TriggerJob(ScheduleJobs.IdOf(id))!]);
        var first = Assert.Single(await app.WithDbAsync(db => db.ScheduledRuns.Where(s => s.ScheduleId == id).ToListAsync()));
        await app.WithDbAsync(db => db.Runs.Where(r => r.Id == first.RunId).ExecuteUpdateAsync(s => s.SetProperty(r => r.State, RunState.Succeeded)));
        await WaitForSucceededAsync(app, [manager.TriggerJob(ScheduleJobs.IdOf(id))!]);

        Assert.Single(await app.WithDbAsync(db => db.ScheduledRuns.Where(s => s.ScheduleId == id).ToListAsync()));
        Assert.Equal(1, await app.WithDbAsync(db => db.Runs.CountAsync()));
    }

    [Fact]
    public async Task At_start_the_job_set_follows_the_database_and_a_missed_occurrence_runs_once()
    {
        var first = await StartAsync();
        var withoutJob = NewSchedule(paused: false);
        var paused = NewSchedule(paused: true);
        await first.WithDbAsync(async db =>
        {
            db.Schedules.AddRange(withoutJob, paused);
            await db.SaveChangesAsync();
        });
        var manager = first.Services.GetRequiredService<IRecurringJobManagerV2>();
        var stray = Guid.NewGuid();
        foreach (var id in new[] { paused.Id, stray })
        {
            manager.AddOrUpdate<ScheduleJob>(ScheduleJobs.IdOf(id), job => job.RunAsync(id, null, CancellationToken.None), "0 0 1 1 *", new RecurringJobOptions());
        }

        manager.AddOrUpdate<ScheduleJob>("not-a-schedule", job => job.RunAsync(stray, null, CancellationToken.None), "0 0 1 1 *", new RecurringJobOptions());
        await first.DisposeAsync();
        apps.Remove(first);

        var restarted = await StartAsync(seedNode: false);

        Assert.Equal(["not-a-schedule", ScheduleJobs.IdOf(withoutJob.Id)], Jobs(restarted).Select(j => j.Id).Order(StringComparer.Ordinal));
        var catchUp = Assert.Single(Jobs(restarted), j => j.Id == ScheduleJobs.IdOf(withoutJob.Id)).LastJobId;
        Assert.NotNull(catchUp);
        await WaitForSucceededAsync(restarted, [catchUp]);
        Assert.Equal([withoutJob.Id], await restarted.WithDbAsync(db => db.ScheduledRuns.Select(s => s.ScheduleId).ToListAsync()));
    }

    private Schedule NewSchedule(bool paused) => new()
    {
        NodeId = nodeId,
        Protocols = ["wireguard"],
        Cron = "0 * * * *",
        Email = "ops@example.com",
        Paused = paused,
        CreatedAt = time.GetUtcNow().AddHours(-3),
    };

    private object Body(string cron, string timeZone) => new { nodeId, protocols = new[] { "wireguard" }, cron, timeZone, email = "ops@example.com" };

    private async Task<VpnLensApp> StartAsync(bool seedNode = true)
    {
        var app = ScheduleAppTests.Create(time, data);
        apps.Add(app);
        if (seedNode)
        {
            var node = Seed.Node();
            nodeId = node.Id;
            await app.WithDbAsync(async db =>
            {
                db.Nodes.Add(node);
                await db.SaveChangesAsync();
            });
        }
        else
        {
            _ = app.Services;
        }

        return app;
    }

    private static List<RecurringJobDto> Jobs(VpnLensApp app) => TestHangfire.RecurringJobs(app.Services.GetRequiredService<JobStorage>());

    private static Task WaitForSucceededAsync(VpnLensApp app, string[] jobIds)
    {
        var storage = app.Services.GetRequiredService<JobStorage>();
        return RunWaits.UntilAsync(
            () =>
            {
                using var connection = storage.GetConnection();
                return jobIds.All(id => connection.GetStateData(id)?.Name == SucceededState.StateName);
            },
            Limit,
            $"jobs {string.Join(", ", jobIds)} succeeded");
    }
}
