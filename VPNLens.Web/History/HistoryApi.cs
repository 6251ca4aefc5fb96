using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using VPNLens.Core.Regressions;
using VPNLens.Core.Runs;
using VPNLens.Core.Statistics;
using VPNLens.Web.Api;
using VPNLens.Web.Persistence;

namespace VPNLens.Web.History;

public sealed record HistoryPoint(Guid RunId, DateTimeOffset At, string State, double? Value);

public sealed record HistoryChangePoint(DateTimeOffset At, double Before, double After, double ShiftLow, double ShiftHigh, double PValue);

/// <summary>A series run by run (<see cref="Points"/>, resolution raw) or day by day (<see cref="Days"/>, resolution day; no points).</summary>
public sealed record HistoryDto(
    Guid NodeId, string Protocol, string Metric, string Unit, bool HigherIsBetter, IReadOnlyList<HistoryPoint> Points, IReadOnlyList<HistoryChangePoint> ChangePoints,
    string Resolution = HistoryApi.Raw, IReadOnlyList<DailyBand>? Days = null);

/// <summary>GET /api/history: one node × protocol × metric over time, with the change points E-Divisive finds; JSON or CSV.</summary>
public static class HistoryApi
{
    public const string Raw = "raw";
    public const string Day = "day";
    public const string Auto = "auto";

    /// <summary>The most runs resolution=auto answers one by one: past it, a chart cannot show them apart, and the answer is one point a day.</summary>
    public const int MaxRawPoints = 1000;

    public static IEndpointRouteBuilder MapHistoryApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/history", GetAsync).RequireAuthorization(Authorization.ApiPolicy).WithTags("History");
        return app;
    }

    private static async Task<Results<Ok<HistoryDto>, FileContentHttpResult, ValidationProblem>> GetAsync(
        string? node, string? protocol, string? metric, string? from, string? to, string? format, string? resolution,
        IDbContextFactory<AppDbContext> dbFactory, SeriesReader reader, DailySeries dailySeries, SeriesChangePoints changePoints, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        if (!Guid.TryParse(node, out var nodeId))
        {
            errors["node"] = ["node must be a node id (a GUID)."];
        }

        if (protocol is null || (protocol != Protocols.Direct && !Protocols.IsSelectable(protocol)))
        {
            errors["protocol"] = [$"protocol must be one of: {Protocols.Direct}, {string.Join(", ", Protocols.Selectable)}."];
        }

        var tracked = TrackedMetric.Find(metric);
        if (tracked is null)
        {
            errors["metric"] = [$"metric must be one of: {string.Join(", ", TrackedMetric.All.Select(m => m.Key))}."];
        }

        var start = ParseInstant(from, "from", errors);
        var end = ParseInstant(to, "to", errors);
        if (start is not null && end is not null && start > end)
        {
            errors["from"] = ["from must not be after to."];
        }

        if (format is not null and not "json" and not "csv")
        {
            errors["format"] = ["format must be json or csv."];
        }

        if (resolution is not null and not Raw and not Day and not Auto)
        {
            errors["resolution"] = [$"resolution must be {Raw}, {Day} or {Auto}."];
        }

        if (errors.Count == 0)
        {
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            if (!await db.Nodes.AnyAsync(n => n.Id == nodeId, cancellationToken))
            {
                errors["node"] = [$"There is no node {nodeId}."];
            }
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var csv = format == "csv";
        // auto: a chart's answer is one point a day past what it can show; a CSV export stays run by run unless asked
        var days = resolution == Day || (resolution is null or Auto && !csv)
            ? await dailySeries.ReadAsync(nodeId, protocol!, tracked!, start, end, resolution == Day ? 0 : MaxRawPoints + 1, cancellationToken)
            : null;
        var dto = days is not null
            ? new HistoryDto(nodeId, protocol!, tracked!.Key, tracked!.Unit, tracked!.HigherIsBetter, [], days.ChangePoints, Day, days.Days)
            : Build(nodeId, protocol!, tracked!, await reader.ReadFigureAsync(nodeId, protocol!, tracked!, start, end, cancellationToken), changePoints);
        return csv
            ? TypedResults.File(days is not null ? HistoryCsv.Days(dto) : HistoryCsv.Points(dto), "text/csv", $"vpnlens-{protocol}-{tracked!.Key}.csv")
            : TypedResults.Ok(dto);
    }

    internal static HistoryDto Build(Guid nodeId, string protocol, TrackedMetric metric, IReadOnlyList<HistoryEntry> entries, SeriesChangePoints changePoints)
    {
        var points = entries
            .Select(e => new HistoryPoint(e.RunId, e.At, StateOf(e), ValueOf(e, metric)))
            .ToList();
        var changes = changePoints.Of(SeriesReader.Points(entries, metric));
        return new HistoryDto(nodeId, protocol, metric.Key, metric.Unit, metric.HigherIsBetter, points, changes);
    }

    /// <summary>
    /// The series as one point per UTC day (median, lowest, highest, runs, failed), computed from every run; change points
    /// from every run, as raw. The API answers the same from the stored days (<see cref="DailySeries"/>).
    /// </summary>
    internal static HistoryDto BuildDaily(Guid nodeId, string protocol, TrackedMetric metric, IReadOnlyList<HistoryEntry> entries, SeriesChangePoints changePoints)
    {
        var days = DailyBands.Of(entries.Select(e => FigureOf(e, metric)));
        var changes = changePoints.Of(SeriesReader.Points(entries, metric));
        return new HistoryDto(nodeId, protocol, metric.Key, metric.Unit, metric.HigherIsBetter, [], changes, Day, days);
    }

    /// <summary>A run's figure for a day's band: failed unless the run and its protocol succeeded.</summary>
    internal static RunFigure FigureOf(HistoryEntry entry, TrackedMetric metric) =>
        new(entry.At, StateOf(entry) != nameof(RunState.Succeeded), ValueOf(entry, metric));

    private static double? ValueOf(HistoryEntry entry, TrackedMetric metric) => entry.Succeeded && entry.Result is not null ? metric.Value(entry.Result) : null;

    /// <summary>The run's state, or Failed when the run succeeded but this protocol did not.</summary>
    private static string StateOf(HistoryEntry entry) =>
        !entry.Succeeded && entry.State == RunState.Succeeded ? nameof(RunState.Failed) : entry.State.ToString();

    private static DateTimeOffset? ParseInstant(string? value, string field, Dictionary<string, string[]> errors)
    {
        if (string.IsNullOrEmpty(value))
        {
            return null;
        }

        if (DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed))
        {
            return parsed;
        }

        errors[field] = [$"{field} must be an ISO 8601 date or instant, e.g. 2026-12-01 or 2026-12-01T08:00:00Z."];
        return null;
    }
}
