using Hangfire;
using Hangfire.States;
using VPNLens.Web.Email;
using VPNLens.Web.Notifications;

namespace VPNLens.Web.Alerts;

/// <summary>The Hangfire job that evaluates alerts once a run has ended, then has the changes announced by their own job.</summary>
public sealed class AlertEvaluationJob(AlertEvaluator evaluator, IBackgroundJobClient jobs)
{
    [AutomaticRetry(Attempts = 3)]
    [Queue(RunNotificationJob.QueueName)]
    public async Task EvaluateAsync(Guid runId, CancellationToken cancellationToken)
    {
        await evaluator.EvaluateAsync(runId, cancellationToken);
        jobs.Create<AlertNotificationJob>(job => job.NotifyAsync(CancellationToken.None), new EnqueuedState(RunNotificationJob.QueueName));
    }
}
