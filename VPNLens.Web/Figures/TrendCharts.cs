using VPNLens.Core.Regressions;
using VPNLens.Core.Runs;
using VPNLens.Core.Statistics;
using VPNLens.Web.History;

namespace VPNLens.Web.Figures;

/// <summary>
/// One protocol in a trend chart; x is the run's end in Unix milliseconds. <see cref="Low"/> and <see cref="High"/> bound the band,
/// <see cref="Failed"/> and <see cref="Changes"/> are the x of the failed runs and of the detected change points.
/// </summary>
public sealed record TrendSeries(
    string Name, string Color, IReadOnlyList<ChartPoint> Points, IReadOnlyList<ChartPoint> Low, IReadOnlyList<ChartPoint> High,
    IReadOnlyList<double> Failed, IReadOnlyList<double> Changes);

/// <summary>What a trend chart draws: one metric over time, every protocol of a node on the same y axis.</summary>
public sealed record TrendChartSpec(string Metric, string Label, string Unit, double? YMax, IReadOnlyList<TrendSeries> Series)
{
    public string Kind => "trend";
}

/// <summary>A small line without axes.</summary>
public sealed record SparklineSpec(string Color, IReadOnlyList<ChartPoint> Points)
{
    public string Kind => "spark";
}

/// <summary>The history page's and the dashboard's charts as data, drawn by wwwroot/js/charts.js.</summary>
public static class TrendCharts
{
    /// <summary>
    /// The median of each run per protocol; the band is the spread (mean ± one standard deviation) of the runs between two
    /// detected change points, so it shows each level and its noise; every protocol shares the y axis.
    /// </summary>
    public static TrendChartSpec Trend(TrackedMetric metric, IReadOnlyList<HistoryDto> perProtocol)
    {
        ArgumentNullException.ThrowIfNull(metric);
        ArgumentNullException.ThrowIfNull(perProtocol);
        var (unit, scale) = Display(metric);
        var series = perProtocol.Select(h => Series(h, scale)).ToList();
        var highest = series.SelectMany(s => s.Points.Concat(s.High)).Select(p => p.Y).DefaultIfEmpty(0).Max();
        return new TrendChartSpec(metric.Key, metric.Label, unit, ChartData.RoundUp(highest), series);
    }

    public static SparklineSpec Sparkline(IReadOnlyList<SeriesPoint> points, string color)
    {
        ArgumentNullException.ThrowIfNull(points);
        return new SparklineSpec(color, [.. points.Select(p => new ChartPoint(p.At.ToUnixTimeMilliseconds(), Math.Round(p.Value, 4)))]);
    }

    /// <summary>The unit a metric is shown in, and the factor from its stored unit.</summary>
    public static (string Unit, double Scale) Display(TrackedMetric metric)
    {
        ArgumentNullException.ThrowIfNull(metric);
        return metric.Unit switch
        {
            "bps" => ("Mbit/s", 1e-6),
            "percent" => ("%", 1),
            _ => (metric.Unit, 1),
        };
    }

    /// <summary>The colour of a protocol, the same on every chart.</summary>
    public static string ColorOf(string protocol)
    {
        var index = protocol == Protocols.Direct ? 0 : Protocols.Selectable.ToList().IndexOf(protocol) + 1;
        return ChartData.ProtocolColor(Math.Max(index, 0));
    }

    private static TrendSeries Series(HistoryDto history, double scale)
    {
        var measured = history.Points.Where(p => p.Value is not null).ToList();
        var points = measured.Select(p => new ChartPoint(X(p.At), Round(p.Value!.Value * scale))).ToList();
        var low = new List<ChartPoint>();
        var high = new List<ChartPoint>();
        var starts = history.ChangePoints.Select(c => c.At).ToHashSet();
        foreach (var segment in Segments(measured, starts))
        {
            var values = segment.Select(p => p.Value!.Value * scale).ToList();
            var mean = Descriptive.Mean(values) ?? 0;
            var deviation = Descriptive.StandardDeviation(values) ?? 0;
            low.AddRange(segment.Select(p => new ChartPoint(X(p.At), Round(Math.Max(0, mean - deviation)))));
            high.AddRange(segment.Select(p => new ChartPoint(X(p.At), Round(mean + deviation))));
        }

        var failed = history.Points.Where(p => p.Value is null && p.State != nameof(RunState.Succeeded)).Select(p => X(p.At)).ToList();
        var changes = history.ChangePoints.Select(c => X(c.At)).ToList();
        return new TrendSeries(Protocols.DisplayName(history.Protocol), ColorOf(history.Protocol), points, low, high, failed, changes);
    }

    private static IEnumerable<List<HistoryPoint>> Segments(List<HistoryPoint> measured, HashSet<DateTimeOffset> starts)
    {
        var segment = new List<HistoryPoint>();
        foreach (var point in measured)
        {
            if (starts.Contains(point.At) && segment.Count > 0)
            {
                yield return segment;
                segment = [];
            }

            segment.Add(point);
        }

        if (segment.Count > 0)
        {
            yield return segment;
        }
    }

    private static double X(DateTimeOffset at) => at.ToUnixTimeMilliseconds();

    private static double Round(double value) => Math.Round(value, 4);
}
