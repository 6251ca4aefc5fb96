using System.Text;
using Hangfire;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using VPNLens.Web.Email;
using VPNLens.Web.Persistence;

namespace VPNLens.Web.Notifications;

/// <summary>Delivers one message to one endpoint and logs every attempt, keeping the latest of each endpoint.</summary>
public sealed class WebhookDeliveryJob(
    IDbContextFactory<AppDbContext> dbFactory,
    WebhookSender sender,
    IOptions<WebhookOptions> options,
    ILogger<WebhookDeliveryJob> logger)
{
    // The sender retries with backoff itself; a Hangfire retry would start the whole series again.
    [AutomaticRetry(Attempts = 0, LogEvents = false)]
    [Queue(RunNotificationJob.QueueName)]
    public async Task DeliverAsync(Guid endpointId, string messageId, string type, string payload, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var endpoint = await db.WebhookEndpoints.AsNoTracking().FirstOrDefaultAsync(e => e.Id == endpointId, cancellationToken);
        if (endpoint is null)
        {
            return;
        }

        var delivered = await sender.SendAsync(endpoint, messageId, type, Encoding.UTF8.GetBytes(payload), attempt => RecordAsync(db, attempt, cancellationToken), cancellationToken);
        if (!delivered)
        {
            logger.LogWarning("The webhook {Type} {MessageId} to {Endpoint} was not delivered; its delivery log says why", type, messageId, endpoint.Name);
        }
    }

    private async Task RecordAsync(AppDbContext db, Core.Webhooks.WebhookAttempt attempt, CancellationToken cancellationToken)
    {
        db.WebhookAttempts.Add(attempt);
        await db.SaveChangesAsync(cancellationToken);
        db.ChangeTracker.Clear();
        var oldestKept = await db.WebhookAttempts
            .Where(a => a.EndpointId == attempt.EndpointId)
            .OrderByDescending(a => a.Id)
            .Skip(options.Value.KeepAttempts - 1)
            .Select(a => (long?)a.Id)
            .FirstOrDefaultAsync(cancellationToken);
        if (oldestKept is { } keep)
        {
            await db.WebhookAttempts.Where(a => a.EndpointId == attempt.EndpointId && a.Id < keep).ExecuteDeleteAsync(cancellationToken);
        }
    }
}
