using System.Net;
using Hangfire;
using Microsoft.EntityFrameworkCore;
using VPNLens.Web.Email;
using VPNLens.Web.Persistence;

namespace VPNLens.Web.Notifications;

/// <summary>Mails one alert announcement to its schedule's address, once; retried with backoff when the mail server fails.</summary>
public sealed class AlertEmailJob(IDbContextFactory<AppDbContext> dbFactory, IEmailSender sender, TimeProvider time, ILogger<AlertEmailJob> logger)
{
    [AutomaticRetry(Attempts = 4, DelaysInSeconds = [5, 30, 120, 600], OnAttemptsExceeded = AttemptsExceededAction.Fail, LogEvents = false)]
    [Queue(RunNotificationJob.QueueName)]
    public async Task SendAsync(long notificationId, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var notice = await db.AlertNotifications.AsNoTracking().FirstOrDefaultAsync(n => n.Id == notificationId, cancellationToken);
        if (notice?.EmailTo is not { } to || notice.EmailSentAt is not null)
        {
            return;
        }

        if (!sender.IsConfigured)
        {
            logger.LogInformation("No SMTP server is configured (Smtp:Host): the alert email {Subject} is not sent", notice.Subject);
            return;
        }

        var html = "<html><body style=\"font-family:sans-serif\">"
            + string.Concat(notice.Text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => $"<p>{WebUtility.HtmlEncode(line)}</p>"))
            + "</body></html>";
        try
        {
            await sender.SendAsync(new EmailMessage(to, notice.Subject, notice.Text, html), cancellationToken);
        }
        catch (EmailDeliveryException ex)
        {
            logger.LogWarning("Mailing the alert {Subject} to {To} failed, retried with backoff: {Reason}", notice.Subject, to, ex.Message);
            throw;
        }

        var now = time.GetUtcNow();
        await db.AlertNotifications.Where(n => n.Id == notificationId).ExecuteUpdateAsync(s => s.SetProperty(n => n.EmailSentAt, now), cancellationToken);
    }
}
