using Hangfire;
using VPNLens.Web.Email;

namespace VPNLens.Web.Alerts;

/// <summary>The Hangfire job that evaluates alerts once a run has ended.</summary>
public sealed class AlertEvaluationJob(AlertEvaluator evaluator)
{
    [AutomaticRetry(Attempts = 3)]
    [Queue(RunNotificationJob.QueueName)]
    public Task EvaluateAsync(Guid runId, CancellationToken cancellationToken) => evaluator.EvaluateAsync(runId, cancellationToken);
}
