using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using VPNLens.Core.Runs;
using VPNLens.Tests.Infrastructure;
using VPNLens.Web.Alerts;
using VPNLens.Web.Runs;

namespace VPNLens.Tests.Web.Alerts;

public sealed class RunEndWatcherTests : IDisposable
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(10);
    private readonly RunEvents events = new(NullLogger<RunEvents>.Instance);
    private readonly RecordingJobClient jobs = new();
    private readonly FakeTimeProvider time = new();
    private readonly RunEndWatcher watcher;

    public RunEndWatcherTests() => watcher = new RunEndWatcher(events, jobs, time, NullLogger<RunEndWatcher>.Instance);

    public void Dispose()
    {
        watcher.Dispose();
        events.Dispose();
    }

    [Fact]
    public async Task Runs_ended_here_are_evaluated_together_and_one_ended_on_another_instance_is_left_to_it()
    {
        await watcher.StartAsync(TestContext.Current.CancellationToken);
        var here = Guid.NewGuid();
        var last = Guid.NewGuid();

        await events.PublishAsync(new RunStateChanged(here, RunState.Succeeded, null));
        await events.PublishAsync(new RunStateChanged(Guid.NewGuid(), RunState.Failed, "x") { FromAnotherInstance = true });
        await events.PublishAsync(new RunStateChanged(Guid.NewGuid(), RunState.Cancelled, null));
        await events.PublishAsync(new RunStateChanged(Guid.NewGuid(), RunState.Running, null));
        await events.PublishAsync(new RunStateChanged(last, RunState.TimedOut, null));
        // events reach a subscriber in order: once the last one waits, so do the ones before it
        await RunWaits.UntilAsync(() => watcher.Waiting == 2, Limit, "both ends waiting for their job");
        Assert.Empty(jobs.Jobs);
        await GatherAsync(jobCount: 1);

        Assert.Equal([[here, last]], EvaluatedBatches());
    }

    [Fact]
    public async Task A_burst_of_run_ends_is_split_into_jobs_of_at_most_the_limit_in_the_order_they_ended()
    {
        await watcher.StartAsync(TestContext.Current.CancellationToken);
        var ended = Enumerable.Range(0, RunEndWatcher.MostPerJob + 1).Select(_ => Guid.NewGuid()).ToList();

        foreach (var runId in ended)
        {
            await events.PublishAsync(new RunStateChanged(runId, RunState.Succeeded, null));
        }

        await RunWaits.UntilAsync(() => watcher.Waiting == ended.Count, Limit, "every end waiting for a job");
        await GatherAsync(jobCount: 2);

        var batches = EvaluatedBatches();
        Assert.Equal([RunEndWatcher.MostPerJob, 1], batches.Select(b => b.Length));
        Assert.Equal(ended, batches.SelectMany(b => b));
    }

    [Fact]
    public async Task Stopping_queues_the_ends_still_gathering_without_waiting_for_the_clock()
    {
        await watcher.StartAsync(TestContext.Current.CancellationToken);
        var runId = Guid.NewGuid();
        await events.PublishAsync(new RunStateChanged(runId, RunState.Failed, "x"));
        await RunWaits.UntilAsync(() => watcher.Waiting == 1, Limit, "the end waiting for its job");

        await watcher.StopAsync(TestContext.Current.CancellationToken);

        Assert.Equal([[runId]], EvaluatedBatches());
    }

    /// <summary>Moves the clock on by the gathering time until the loop has queued that many jobs.</summary>
    private Task GatherAsync(int jobCount) => RunWaits.UntilAsync(
        () =>
        {
            time.Advance(RunEndWatcher.Gathering);
            return jobs.Jobs.Count >= jobCount;
        },
        Limit,
        $"{jobCount} evaluation jobs queued");

    private List<Guid[]> EvaluatedBatches()
    {
        Assert.All(jobs.Jobs, j => Assert.Equal(nameof(AlertEvaluationJob.EvaluateAllAsync), j.Job.Method.Name));
        return [.. jobs.Jobs.Select(j => (Guid[])j.Job.Args[0]!)];
    }
}
