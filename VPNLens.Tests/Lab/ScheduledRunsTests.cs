using VPNLens.Tests.Infrastructure;

namespace VPNLens.Tests.Lab;

/// <summary>
/// A schedule every minute on the lab node, for <see cref="ScheduleLabTests.BaselineRuns"/> real runs: what every test
/// run checks of continuous benchmarking on the lab (the throttle, the alerts and the recoveries take tens of minutes
/// more and are <see cref="ScheduledRegressionTests"/>).
/// </summary>
public sealed class ScheduledRunsTests : ScheduleLabTests
{
    [Fact]
    public async Task A_schedule_every_minute_runs_on_the_lab_node_one_run_at_a_time_and_fills_the_history()
    {
        using var receiver = new WebhookReceiver();
        var (_, secret) = await AddWebhookAsync(receiver.Url);
        var scheduleId = await CreateScheduleAsync();

        var runs = await RunBaselineAsync(scheduleId, receiver, secret);

        Report($"{runs.Count} scheduled runs, {string.Join(", ", runs.Select(r => $"{(r.FinishedAt - r.StartedAt)?.TotalSeconds:0} s"))} each");
    }
}
