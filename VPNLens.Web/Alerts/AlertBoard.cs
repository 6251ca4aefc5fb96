using Microsoft.EntityFrameworkCore;
using VPNLens.Core.Regressions;
using VPNLens.Web.Persistence;

namespace VPNLens.Web.Alerts;

/// <summary>An alert with the name of its node, as the dashboard lists it.</summary>
public sealed record AlertEntry(Alert Alert, string NodeName)
{
    public TrackedMetric? Metric => TrackedMetric.Find(Alert.Metric);
}

/// <summary>Reads the alerts the dashboard lists: every open one, newest first, then the latest recovered ones.</summary>
public sealed class AlertBoard(IDbContextFactory<AppDbContext> dbFactory)
{
    public async Task<(List<AlertEntry> Open, List<AlertEntry> Recovered)> ListAsync(int recovered, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var open = await Query(db, a => a.RecoveredAt == null).ToListAsync(cancellationToken);
        var closed = await Query(db, a => a.RecoveredAt != null).Take(recovered).ToListAsync(cancellationToken);
        return (Sort(open, a => a.OpenedAt), Sort(closed, a => a.RecoveredAt!.Value));
    }

    private static IQueryable<AlertEntry> Query(AppDbContext db, System.Linq.Expressions.Expression<Func<Alert, bool>> filter) =>
        from alert in db.Alerts.AsNoTracking().Where(filter).OrderByDescending(a => a.Id)
        join node in db.Nodes on alert.NodeId equals node.Id into nodes
        from node in nodes.DefaultIfEmpty()
        select new AlertEntry(alert, node == null ? "deleted node" : node.Name);

    // DateTimeOffset does not order in SQLite's SQL; the lists are short.
    private static List<AlertEntry> Sort(List<AlertEntry> entries, Func<Alert, DateTimeOffset> by) =>
        [.. entries.OrderByDescending(e => by(e.Alert))];
}
