using Microsoft.EntityFrameworkCore;
using VPNLens.Core.Regressions;
using VPNLens.Core.Results;
using VPNLens.Core.Statistics;
using VPNLens.Web.Persistence;

namespace VPNLens.Web.History;

/// <summary>A series day by day, as GET /api/history answers it at resolution day.</summary>
public sealed record DailySeriesView(IReadOnlyList<DailyBand> Days, IReadOnlyList<HistoryChangePoint> ChangePoints);

/// <summary>
/// A series day by day from its stored days (<see cref="DailyFigure"/>, kept by <see cref="DailyRollup"/>) rather than from
/// every run: the node's runs in the range counted per day from the runs' covering index, the stored days, and the runs
/// read only for a day whose stored run count is not that count: a day the range cuts (some of its runs left out), or one
/// stored by anything that did not go through the rollup, or not yet. The change points come from memory by the days'
/// digests, the series read only on a miss. The answer is the one <see cref="HistoryApi.BuildDaily"/> computes from every run.
/// </summary>
public sealed class DailySeries(IDbContextFactory<AppDbContext> dbFactory, SeriesReader reader, SeriesChangePoints changePoints)
{
    /// <returns>The series by day, or null when the range holds fewer than <paramref name="minRuns"/> runs.</returns>
    public async Task<DailySeriesView?> ReadAsync(
        Guid nodeId, string protocol, TrackedMetric metric, DateTimeOffset? from, DateTimeOffset? to, int minRuns, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(metric);
        List<(DateOnly Day, int Runs)> counts;
        Dictionary<DateOnly, DailyFigure> stored;
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            var perDay = await SeriesReader.Measured(db, nodeId, protocol, from, to)
                .GroupBy(r => r.FinishedAt / DailyRollup.MillisecondsPerDay)
                .Select(g => new { Day = g.Key, Runs = g.Count() })
                .ToListAsync(cancellationToken);
            counts = [.. perDay.Select(d => (DayFromUnix(d.Day), d.Runs)).OrderBy(d => d.Item1)];
            if (counts.Sum(c => c.Runs) < minRuns)
            {
                return null;
            }

            if (counts.Count == 0)
            {
                return new DailySeriesView([], []);
            }

            var (first, last, key) = (counts[0].Day, counts[^1].Day, metric.Key);
            stored = await db.DailyFigures.AsNoTracking()
                .Where(d => d.NodeId == nodeId && d.Protocol == protocol && d.Metric == key && d.Day >= first && d.Day <= last)
                .ToDictionaryAsync(d => d.Day, cancellationToken);
        }

        var unread = counts
            .Where(c => !stored.TryGetValue(c.Day, out var row) || row.Runs != c.Runs)
            .Select(c => c.Day)
            .ToHashSet();
        var read = await ReadDaysAsync(nodeId, protocol, metric, from, to, unread, cancellationToken);
        var days = new List<(DailyBand Band, long Hash)>(counts.Count);
        foreach (var (day, _) in counts)
        {
            if (read.TryGetValue(day, out var computed))
            {
                days.Add(computed);
            }
            else if (!unread.Contains(day))
            {
                var row = stored[day];
                days.Add((new DailyBand(day, row.Runs, row.Failed, row.Median, row.Min, row.Max), row.PointsHash));
            }
        }

        var hashes = days.Where(d => d.Band.Median is not null).Select(d => d.Hash).ToList();
        var changes = await changePoints.OfDaysAsync(
            hashes, async () => SeriesReader.Points(await reader.ReadFigureAsync(nodeId, protocol, metric, from, to, cancellationToken), metric));
        return new DailySeriesView([.. days.Select(d => d.Band)], changes);
    }

    /// <summary>The days asked for, computed from their runs: one read per stretch of consecutive days, within the range.</summary>
    private async Task<Dictionary<DateOnly, (DailyBand Band, long Hash)>> ReadDaysAsync(
        Guid nodeId, string protocol, TrackedMetric metric, DateTimeOffset? from, DateTimeOffset? to, IReadOnlySet<DateOnly> days, CancellationToken cancellationToken)
    {
        var computed = new Dictionary<DateOnly, (DailyBand Band, long Hash)>();
        var ordered = days.Order().ToList();
        for (var i = 0; i < ordered.Count;)
        {
            var j = i;
            while (j + 1 < ordered.Count && ordered[j + 1] == ordered[j].AddDays(1))
            {
                j++;
            }

            var start = DailyRollup.StartOf(ordered[i]);
            var end = DailyRollup.EndOf(ordered[j]);
            var entries = await reader.ReadFigureAsync(
                nodeId, protocol, metric, from is { } f && f > start ? f : start, to is { } t && t < end ? t : end, cancellationToken);
            foreach (var day in entries.GroupBy(e => DailyRollup.DayOf(e.At)))
            {
                computed[day.Key] = DailyRollup.DayFigures([.. day], metric);
            }

            i = j + 1;
        }

        return computed;
    }

    private static DateOnly DayFromUnix(long day) => DateOnly.FromDayNumber(DateOnly.FromDateTime(DateTime.UnixEpoch).DayNumber + (int)day);
}
