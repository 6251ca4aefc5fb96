using System.Linq.Expressions;
using System.Reflection;
using Microsoft.EntityFrameworkCore;
using VPNLens.Core.Regressions;
using VPNLens.Core.Results;
using VPNLens.Core.Runs;
using VPNLens.Web.Persistence;

namespace VPNLens.Web.History;

/// <summary>One run's outcome for one protocol, as the history shows it: the figure when it succeeded, the state when not.</summary>
/// <remarks><see cref="Settings"/> is null unless the reader was asked for it.</remarks>
public sealed record HistoryEntry(Guid RunId, DateTimeOffset At, RunState State, bool Succeeded, RunSettings? Settings, ProtocolResult? Result);

/// <summary>
/// Reads the history of one node × protocol from the stored run-level results (never the raw samples, never a results body),
/// in two range scans merged here: the node's runs from the covering index on (NodeId, FinishedAt, State, Protocols, Id),
/// which also gives the runs that ended without results, and the node's results for the protocol from the covering index
/// on (NodeId, Protocol, FinishedAt, figures…, RunId). Neither touches a run row, whose results body makes each one several
/// pages long, and neither looks a result up by its run's id.
/// </summary>
public sealed class SeriesReader(IDbContextFactory<AppDbContext> dbFactory)
{
    /// <param name="withSettings">Also read each run's settings (a second, small query by id): only for a short series.</param>
    public Task<List<HistoryEntry>> ReadAsync(
        Guid nodeId, string protocol, DateTimeOffset? from, DateTimeOffset? to, int? latest, bool withSettings, CancellationToken cancellationToken) =>
        ReadAsync(nodeId, protocol, null, from, to, latest, withSettings, cancellationToken);

    /// <summary>
    /// As <see cref="ReadAsync(Guid, string, DateTimeOffset?, DateTimeOffset?, int?, bool, CancellationToken)"/> over the
    /// whole range, each result holding only <paramref name="metric"/>'s figure (the other figures null): a year of one
    /// series reads one figure column instead of all seven.
    /// </summary>
    public Task<List<HistoryEntry>> ReadFigureAsync(
        Guid nodeId, string protocol, TrackedMetric metric, DateTimeOffset? from, DateTimeOffset? to, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(metric);
        return ReadAsync(nodeId, protocol, metric, from, to, null, withSettings: false, cancellationToken);
    }

    private async Task<List<HistoryEntry>> ReadAsync(
        Guid nodeId, string protocol, TrackedMetric? figure, DateTimeOffset? from, DateTimeOffset? to, int? latest, bool withSettings, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var query = Runs(db, nodeId, protocol, from, to);
        var runs = await (latest is { } count ? query.Take(count) : query).ToListAsync(cancellationToken);
        if (runs.Count == 0)
        {
            return [];
        }

        // The results of exactly the time the runs span (all of from–to, or only the latest runs'), matched by run.
        var first = DateTimeOffset.FromUnixTimeMilliseconds(runs[^1].FinishedAt);
        var last = DateTimeOffset.FromUnixTimeMilliseconds(runs[0].FinishedAt);
        var results = await Results(db, nodeId, protocol, first, last, figure).ToDictionaryAsync(r => r.RunId, cancellationToken);
        var rows = new List<HistoryEntry>(runs.Count);
        for (var i = runs.Count - 1; i >= 0; i--)
        {
            var run = runs[i];
            var result = results.GetValueOrDefault(run.Id);
            rows.Add(new HistoryEntry(run.Id, DateTimeOffset.FromUnixTimeMilliseconds(run.FinishedAt), Enum.Parse<RunState>(run.State), result?.Succeeded == true, null, result));
        }

        return withSettings ? await WithSettingsAsync(db, rows, cancellationToken) : rows;
    }

    /// <summary>
    /// The node's finished runs of <paramref name="protocol"/> in this range, latest first: the columns the runs' covering
    /// index holds. Which runs measured the protocol is decided in the query, on the stored list (one text column, the
    /// names joined by commas), so the list is never read; the instants are the stored Unix milliseconds
    /// (<see cref="UnixMillisecondsConverter"/>) and the state its name, as the model stores them on either provider.
    /// </summary>
    internal static IQueryable<SeriesRow> Runs(AppDbContext db, Guid nodeId, string protocol, DateTimeOffset? from, DateTimeOffset? to) =>
        Measured(db, nodeId, protocol, from, to).OrderByDescending(r => r.FinishedAt);

    /// <summary>The runs of <see cref="Runs"/> in no order, for a query to count or group.</summary>
    internal static IQueryable<SeriesRow> Measured(AppDbContext db, Guid nodeId, string protocol, DateTimeOffset? from, DateTimeOffset? to)
    {
        var measured = $"%,{protocol},%";
        var cancelled = nameof(RunState.Cancelled);
        var start = from?.ToUnixTimeMilliseconds() ?? long.MinValue;
        var end = to?.ToUnixTimeMilliseconds() ?? long.MaxValue;
        return db.Database.SqlQuery<SeriesRow>($"""
                SELECT "Id", "FinishedAt", "State" FROM "Runs"
                WHERE "NodeId" = {nodeId} AND "FinishedAt" >= {start} AND "FinishedAt" <= {end} AND "State" <> {cancelled}
                  AND (',' || "Protocols" || ',') LIKE {measured}
                """);
    }

    /// <summary>
    /// The node's results for this protocol whose runs ended in [from, to]: the columns the series index holds, every
    /// figure or only <paramref name="figure"/>'s.
    /// </summary>
    internal static IQueryable<ProtocolResult> Results(AppDbContext db, Guid nodeId, string protocol, DateTimeOffset from, DateTimeOffset to, TrackedMetric? figure = null) =>
        db.ProtocolResults.AsNoTracking()
            .Where(p => p.NodeId == nodeId && p.Protocol == protocol && p.FinishedAt >= from && p.FinishedAt <= to)
            .Select(figure is null ? Figures : OnlyFigure(protocol, figure));

    private static readonly Expression<Func<ProtocolResult, ProtocolResult>> Figures = p => new ProtocolResult
    {
        RunId = p.RunId,
        Protocol = p.Protocol,
        Succeeded = p.Succeeded,
        UploadMedianBitsPerSecond = p.UploadMedianBitsPerSecond,
        DownloadMedianBitsPerSecond = p.DownloadMedianBitsPerSecond,
        LatencyIdleP50Ms = p.LatencyIdleP50Ms,
        UdpJitterMs = p.UdpJitterMs,
        UdpLossPercent = p.UdpLossPercent,
        SetupMs = p.SetupMs,
        RecoveryMs = p.RecoveryMs,
    };

    /// <summary>p => new ProtocolResult { RunId = p.RunId, Protocol = protocol, Succeeded = p.Succeeded, [the metric's property] = p.[it] }.</summary>
    private static Expression<Func<ProtocolResult, ProtocolResult>> OnlyFigure(string protocol, TrackedMetric metric)
    {
        var column = (MemberExpression)metric.Column.Body;
        var p = metric.Column.Parameters[0];
        MemberBinding Copy(MemberInfo member) => Expression.Bind(member, Expression.MakeMemberAccess(p, member));
        return Expression.Lambda<Func<ProtocolResult, ProtocolResult>>(
            Expression.MemberInit(
                Expression.New(typeof(ProtocolResult)),
                Copy(typeof(ProtocolResult).GetProperty(nameof(ProtocolResult.RunId))!),
                Expression.Bind(typeof(ProtocolResult).GetProperty(nameof(ProtocolResult.Protocol))!, Expression.Constant(protocol)),
                Copy(typeof(ProtocolResult).GetProperty(nameof(ProtocolResult.Succeeded))!),
                Copy(column.Member)),
            p);
    }

    private static async Task<List<HistoryEntry>> WithSettingsAsync(AppDbContext db, List<HistoryEntry> rows, CancellationToken cancellationToken)
    {
        var ids = rows.Select(r => r.RunId).ToList();
        var settings = await db.Runs.AsNoTracking().Where(r => ids.Contains(r.Id))
            .Select(r => new { r.Id, r.Settings })
            .ToDictionaryAsync(r => r.Id, r => r.Settings, cancellationToken);
        return [.. rows.Select(r => r with { Settings = settings[r.RunId] })];
    }

    /// <summary>The figure of each successful result, oldest first.</summary>
    public static List<SeriesPoint> Points(IEnumerable<HistoryEntry> entries, TrackedMetric metric)
    {
        ArgumentNullException.ThrowIfNull(metric);
        return [.. entries
            .Where(e => e.Succeeded && e.Result is not null && metric.Value(e.Result) is not null)
            .Select(e => new SeriesPoint(e.At, metric.Value(e.Result!)!.Value))];
    }
}

/// <summary>A run as the series reads it: the columns the runs' covering index holds, as stored (Unix milliseconds, the state's name).</summary>
internal sealed class SeriesRow
{
    public Guid Id { get; init; }

    public long FinishedAt { get; init; }

    public required string State { get; init; }
}
