using Hangfire;
using Hangfire.States;
using Microsoft.EntityFrameworkCore;
using VPNLens.Web.Email;
using VPNLens.Web.Notifications;
using VPNLens.Web.Persistence;

namespace VPNLens.Web.Alerts;

/// <summary>
/// The Hangfire job that evaluates alerts once a run has ended, then, when any alert waits for its announcement (this
/// evaluation's, or one whose announcing job gave up), has them announced by their own job. Most runs change no alert,
/// and a job queued for nothing costs the store a dozen writes.
/// </summary>
public sealed class AlertEvaluationJob(AlertEvaluator evaluator, IDbContextFactory<AppDbContext> dbFactory, IBackgroundJobClient jobs, TimeProvider time)
{
    [AutomaticRetry(Attempts = 3)]
    [Queue(RunNotificationJob.QueueName)]
    public async Task EvaluateAsync(Guid runId, CancellationToken cancellationToken)
    {
        await evaluator.EvaluateAsync(runId, cancellationToken);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        if (await UnannouncedAlerts.AnyAsync(db, time.GetUtcNow(), cancellationToken))
        {
            jobs.Create<AlertNotificationJob>(job => job.NotifyAsync(CancellationToken.None), new EnqueuedState(RunNotificationJob.QueueName));
        }
    }
}
