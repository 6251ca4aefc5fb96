using Hangfire;
using Hangfire.States;
using Microsoft.EntityFrameworkCore;
using VPNLens.Web.Email;
using VPNLens.Web.Notifications;
using VPNLens.Web.Persistence;

namespace VPNLens.Web.Alerts;

/// <summary>
/// The Hangfire job that evaluates alerts once runs have ended, then, when any alert waits for its announcement (this
/// evaluation's, or one whose announcing job gave up), has them announced by their own job. Most runs change no alert,
/// and a job queued for nothing costs the store a dozen writes.
/// </summary>
public sealed class AlertEvaluationJob(
    AlertEvaluator evaluator,
    IDbContextFactory<AppDbContext> dbFactory,
    IBackgroundJobClient jobs,
    TimeProvider time,
    ILogger<AlertEvaluationJob> logger)
{
    /// <summary>
    /// Evaluates runs that ended together, in the order they ended. A run whose evaluation fails gets a job of its own,
    /// with that job's retries, so the others are neither held up nor evaluated twice.
    /// </summary>
    [AutomaticRetry(Attempts = 3)]
    [Queue(RunNotificationJob.QueueName)]
    public async Task EvaluateAllAsync(Guid[] runIds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(runIds);
        foreach (var runId in runIds)
        {
            try
            {
                await evaluator.EvaluateAsync(runId, cancellationToken);
            }
#pragma warning disable CA1031 // whatever failed this run's evaluation, its own job retries it
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
#pragma warning restore CA1031
            {
                logger.LogWarning(ex, "Evaluating the alerts of run {RunId} failed; it is tried again on its own", runId);
                jobs.Create<AlertEvaluationJob>(job => job.EvaluateAsync(runId, CancellationToken.None), new EnqueuedState(RunNotificationJob.QueueName));
            }
        }

        await AnnounceWaitingAsync(cancellationToken);
    }

    [AutomaticRetry(Attempts = 3)]
    [Queue(RunNotificationJob.QueueName)]
    public async Task EvaluateAsync(Guid runId, CancellationToken cancellationToken)
    {
        await evaluator.EvaluateAsync(runId, cancellationToken);
        await AnnounceWaitingAsync(cancellationToken);
    }

    private async Task AnnounceWaitingAsync(CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        if (await UnannouncedAlerts.AnyAsync(db, time.GetUtcNow(), cancellationToken))
        {
            jobs.Create<AlertNotificationJob>(job => job.NotifyAsync(CancellationToken.None), new EnqueuedState(RunNotificationJob.QueueName));
        }
    }
}
