using System.Data.Common;
using Hangfire;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using VPNLens.Core.Runs;
using VPNLens.Web.Persistence;
using VPNLens.Web.Runs;

namespace VPNLens.Web.Email;

/// <summary>Mails the requester when a run ends. Runs on its own queue: a slow or broken mail server never holds up benchmarks.</summary>
public sealed class RunNotificationJob(
    IDbContextFactory<AppDbContext> dbFactory,
    IEmailSender sender,
    IOptions<AppOptions> app,
    RunEvents events,
    ILogger<RunNotificationJob> logger)
{
    public const string QueueName = "notifications";

    // LogEvents = false: the job logs each failure as one line itself; Hangfire would add a stack trace per attempt.
    [AutomaticRetry(Attempts = 4, DelaysInSeconds = [5, 30, 120, 600], OnAttemptsExceeded = AttemptsExceededAction.Fail, LogEvents = false)]
    [Queue(QueueName)]
    public async Task SendAsync(Guid runId, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var run = await db.Runs.AsNoTracking().FirstOrDefaultAsync(r => r.Id == runId, cancellationToken);
        if (run is null || run.EmailStatus == EmailStatus.Sent)
        {
            return;
        }

        if (!sender.IsConfigured)
        {
            await SetAsync(db, runId, EmailStatus.NotConfigured, "No SMTP server is configured (Smtp:Host).", cancellationToken);
            return;
        }

        var nodeName = await db.Nodes.IgnoreQueryFilters().Where(n => n.Id == run.NodeId).Select(n => n.Name).FirstOrDefaultAsync(cancellationToken) ?? "a deleted node";
        var message = RunEmailComposer.Compose(run, nodeName, app.Value.PermalinkFor(run.PublicToken));
        await db.Runs.Where(r => r.Id == runId).ExecuteUpdateAsync(s => s.SetProperty(r => r.EmailAttempts, r => r.EmailAttempts + 1), cancellationToken);
        try
        {
            await sender.SendAsync(message, cancellationToken);
        }
        catch (EmailDeliveryException ex)
        {
            logger.LogWarning("Emailing the results of run {RunId} failed (attempt {Attempt}), retried with backoff: {Reason}", runId, run.EmailAttempts + 1, ex.Message);
            await SetAsync(db, runId, EmailStatus.Failed, ex.Message, cancellationToken);
            throw;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogError(ex, "Emailing the results of run {RunId} failed unexpectedly", runId);
            await SetAsync(db, runId, EmailStatus.Failed, ex.Message, cancellationToken);
            throw;
        }

        await SetAsync(db, runId, EmailStatus.Sent, null, cancellationToken);
    }

    private async Task SetAsync(AppDbContext db, Guid runId, EmailStatus status, string? error, CancellationToken cancellationToken)
    {
        await db.Runs.Where(r => r.Id == runId).ExecuteUpdateAsync(s => s.SetProperty(r => r.EmailStatus, status).SetProperty(r => r.EmailError, error), cancellationToken);
        await events.PublishAsync(new RunEmailChanged(runId, status));
    }
}

/// <summary>
/// Queues the notification email as a Hangfire job, so it survives restarts and is retried. Without an SMTP server there
/// is nothing to send or retry: the run is marked at once, and a burst of run ends queues no job each.
/// </summary>
public sealed class HangfireRunFinishedNotifier(IBackgroundJobClient jobs, IEmailSender sender, RunNotificationJob job, ILogger<HangfireRunFinishedNotifier> logger) : IRunFinishedNotifier
{
    public async Task RunFinishedAsync(Guid runId)
    {
        if (!sender.IsConfigured)
        {
            try
            {
                await job.SendAsync(runId, CancellationToken.None);
                return;
            }
            catch (Exception ex) when (ex is DbException or DbUpdateException)
            {
                logger.LogWarning("Marking run {RunId}'s email as not configured failed ({Reason}); queueing its job", runId, ex.Message);
            }
        }

        jobs.Create<RunNotificationJob>(j => j.SendAsync(runId, CancellationToken.None), new Hangfire.States.EnqueuedState(RunNotificationJob.QueueName));
    }
}
