using Microsoft.Extensions.Logging.Abstractions;
using VPNLens.Core.Runs;
using VPNLens.Tests.Infrastructure;
using VPNLens.Web.Alerts;
using VPNLens.Web.Runs;

namespace VPNLens.Tests.Web.Alerts;

public sealed class RunEndWatcherTests
{
    private readonly RunEvents events = new(NullLogger<RunEvents>.Instance);
    private readonly RecordingJobClient jobs = new();

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
        await watcher.StopAsync(TestContext.Current.CancellationToken);

        var job = Assert.Single(jobs.Jobs).Job;
        Assert.Equal(nameof(AlertEvaluationJob.EvaluateAsync), job.Method.Name);
        Assert.Equal(here, job.Args[0]);
    }
}
