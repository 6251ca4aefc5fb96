using Microsoft.EntityFrameworkCore;
using VPNLens.Core.Regressions;
using VPNLens.Web.Persistence;

namespace VPNLens.Web.Notifications;

/// <summary>
/// The alerts opened or recovered within <see cref="Lookback"/> whose announcement of that has not been taken yet: what
/// <see cref="AlertNotificationJob"/> announces, and what decides whether an evaluation queues that job at all.
/// </summary>
public static class UnannouncedAlerts
{
    /// <summary>Alerts older than this are not announced any more (the first start after an upgrade stays quiet).</summary>
    public static readonly TimeSpan Lookback = TimeSpan.FromDays(1);

    public static IQueryable<Alert> Opened(AppDbContext db, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(db);
        var since = now - Lookback;
        return db.Alerts.AsNoTracking()
            .Where(a => a.OpenedAt >= since && !db.AlertNotifications.Any(n => n.AlertId == a.Id && n.Kind == AlertNotificationKind.Opened));
    }

    public static IQueryable<Alert> Recovered(AppDbContext db, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(db);
        var since = now - Lookback;
        return db.Alerts.AsNoTracking()
            .Where(a => a.RecoveredAt != null && a.RecoveredAt >= since && !db.AlertNotifications.Any(n => n.AlertId == a.Id && n.Kind == AlertNotificationKind.Recovered));
    }

    public static async Task<bool> AnyAsync(AppDbContext db, DateTimeOffset now, CancellationToken cancellationToken) =>
        await Opened(db, now).AnyAsync(cancellationToken) || await Recovered(db, now).AnyAsync(cancellationToken);
}
