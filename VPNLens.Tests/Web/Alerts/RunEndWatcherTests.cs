using Microsoft.Extensions.Logging.Abstractions;
using VPNLens.Core.Runs;
using VPNLens.Tests.Infrastructure;
using VPNLens.Web.Alerts;
using VPNLens.Web.Runs;

namespace VPNLens.Tests.Web.Alerts;

public sealed class RunEndWatcherTests : IDisposable
{
    private readonly RunEvents events = new(NullLogger<RunEvents>.Instance);
    private readonly RecordingJobClient jobs = new();

    public void Dispose() => events.Dispose();

    [Fact]
    public async Task A_run_ended_here_is_evaluated_once_and_one_ended_on_another_instance_is_left_to_it()
    {
        var watcher = new RunEndWatcher(events, jobs);
        await watcher.StartAsync(TestContext.Current.CancellationToken);
        var here = Guid.NewGuid();
        var there = Guid.NewGuid();

        await events.PublishAsync(new RunStateChanged(here, RunState.Succeeded, null));
        await events.PublishAsync(new RunStateChanged(there, RunState.Failed, "x") { FromAnotherInstance = true });
        await events.PublishAsync(new RunStateChanged(Guid.NewGuid(), RunState.Cancelled, null));
        await events.PublishAsync(new RunStateChanged(Guid.NewGuid(), RunState.Running, null));
        // events reach a subscriber in order: once the last one is handled, so are the ones before it
        var last = Guid.NewGuid();
        await events.PublishAsync(new RunStateChanged(last, RunState.TimedOut, null));
        await RunWaits.UntilAsync(() => jobs.Jobs.Count >= 2, TimeSpan.FromSeconds(10), "the last run's evaluation queued");
        await watcher.StopAsync(TestContext.Current.CancellationToken);

        Assert.All(jobs.Jobs, j => Assert.Equal(nameof(AlertEvaluationJob.EvaluateAsync), j.Job.Method.Name));
        Assert.Equal([here, last], jobs.Jobs.Select(j => (Guid)j.Job.Args[0]!));
    }
}
