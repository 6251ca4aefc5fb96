using System.Security.Cryptography;
using Hangfire;
using Hangfire.States;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using VPNLens.Core.Regressions;
using VPNLens.Web.Email;
using VPNLens.Web.History;
using VPNLens.Web.Persistence;
using VPNLens.Web.Runs;

namespace VPNLens.Web.Notifications;

/// <summary>
/// Announces every alert opened or recovered and not yet announced (<see cref="UnannouncedAlerts"/>): takes the announcement's row (unique per alert and
/// kind, so a retry or another instance finds it taken and sends nothing), then queues the email and one webhook
/// delivery per enabled endpoint.
/// </summary>
public sealed class AlertNotificationJob(
    IDbContextFactory<AppDbContext> dbFactory,
    IBackgroundJobClient jobs,
    TimeProvider time,
    IOptions<AppOptions> app)
{
    [AutomaticRetry(Attempts = 3)]
    [Queue(RunNotificationJob.QueueName)]
    public async Task NotifyAsync(CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var now = time.GetUtcNow();
        var opened = await UnannouncedAlerts.Opened(db, now).OrderBy(a => a.Id).ToListAsync(cancellationToken);
        var recovered = await UnannouncedAlerts.Recovered(db, now).OrderBy(a => a.Id).ToListAsync(cancellationToken);
        foreach (var (alert, kind) in opened.Select(a => (a, AlertNotificationKind.Opened)).Concat(recovered.Select(a => (a, AlertNotificationKind.Recovered))))
        {
            await AnnounceAsync(db, alert, kind, cancellationToken);
        }
    }

    private async Task AnnounceAsync(AppDbContext db, Alert alert, AlertNotificationKind kind, CancellationToken cancellationToken)
    {
        var nodeName = await db.Nodes.Where(n => n.Id == alert.NodeId).Select(n => n.Name).FirstOrDefaultAsync(cancellationToken) ?? "a deleted node";
        var email = alert.ScheduleId is { } scheduleId
            ? await db.Schedules.Where(s => s.Id == scheduleId).Select(s => s.Email).FirstOrDefaultAsync(cancellationToken)
            : null;
        var runId = kind == AlertNotificationKind.Recovered ? alert.RecoveredByRunId : alert.OpenedByRunId;
        var token = await db.Runs.Where(r => r.Id == runId).Select(r => r.PublicToken).FirstOrDefaultAsync(cancellationToken);
        var now = time.GetUtcNow();
        var notice = AlertNotice.Compose(new AlertFacts(alert, nodeName, token is null ? null : app.Value.PermalinkFor(token), HistoryLink(alert)), kind, now);
        var row = new AlertNotification
        {
            AlertId = alert.Id,
            Kind = kind,
            MessageId = NewMessageId(),
            Type = notice.Type,
            Payload = notice.Payload,
            EmailTo = email,
            Subject = notice.Subject,
            Text = notice.Text,
            CreatedAt = now,
        };
        db.AlertNotifications.Add(row);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            db.ChangeTracker.Clear();
            if (await db.AlertNotifications.AnyAsync(n => n.AlertId == alert.Id && n.Kind == kind, cancellationToken))
            {
                return;
            }

            throw;
        }

        db.ChangeTracker.Clear();
        if (row.EmailTo is not null)
        {
            jobs.Create<AlertEmailJob>(job => job.SendAsync(row.Id, CancellationToken.None), new EnqueuedState(RunNotificationJob.QueueName));
        }

        var endpoints = await db.WebhookEndpoints.AsNoTracking().Where(e => e.Enabled).Select(e => e.Id).ToListAsync(cancellationToken);
        foreach (var endpointId in endpoints)
        {
            jobs.Create<WebhookDeliveryJob>(
                job => job.DeliverAsync(endpointId, row.MessageId, row.Type, row.Payload, CancellationToken.None),
                new EnqueuedState(RunNotificationJob.QueueName));
        }
    }

    public static string NewMessageId() => "msg_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    private string? HistoryLink(Alert alert) => alert.Protocol is null || alert.Metric is null
        ? null
        : new Uri(app.Value.PublicUrl, HistoryRange.PathFor(alert, time.GetUtcNow())).ToString();
}
