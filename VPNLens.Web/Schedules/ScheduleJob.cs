using Hangfire;
using Hangfire.Server;
using VPNLens.Web.Runs;

namespace VPNLens.Web.Schedules;

/// <summary>What a schedule's recurring job (<see cref="ScheduleJobs"/>) runs: the dispatcher, for that one schedule.</summary>
public sealed class ScheduleJob(ScheduleDispatcher dispatcher)
{
    /// <summary>The parameter in which Hangfire gives a recurring job's execution the time it fired it for (Unix seconds).</summary>
    private const string FiredAtParameter = "Time";

    // Short, like a dispatch round: it queues a run at most. A retry is safe: the claim lets an occurrence queue once.
    [AutomaticRetry(Attempts = 3)]
    [Queue(RunQueue.QueueName)]
    public Task RunAsync(Guid scheduleId, PerformContext? context, CancellationToken cancellationToken) =>
        dispatcher.DispatchAsync(scheduleId, FiredAt(context), cancellationToken);

    private static DateTimeOffset? FiredAt(PerformContext? context) =>
        context?.GetJobParameter<long?>(FiredAtParameter) is { } seconds ? DateTimeOffset.FromUnixTimeSeconds(seconds) : null;
}
