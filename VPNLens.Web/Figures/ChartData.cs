using VPNLens.Core.Results;
using VPNLens.Core.Statistics;

namespace VPNLens.Web.Figures;

/// <summary>One bar series: a value per category with the spread behind it (the whiskers), or none where there is no spread.</summary>
public sealed record BarSeries(string Name, string Color, IReadOnlyList<double?> Values, IReadOnlyList<double?> Low, IReadOnlyList<double?> High);

/// <summary>A labelled horizontal line across a chart: the figure every bar is measured against.</summary>
public sealed record ReferenceLine(string Label, double Value, string Color);

public sealed record ChartPoint(double X, double Y);

public sealed record LineSeries(string Name, string Color, IReadOnlyList<ChartPoint> Points);

/// <summary>What a bar chart draws (serialised into the page for wwwroot/js/charts.js).</summary>
public sealed record BarChartSpec(string Unit, IReadOnlyList<string> Labels, IReadOnlyList<BarSeries> Series, IReadOnlyList<ReferenceLine> References)
{
    public string Kind => "bars";
}

/// <summary>What a line chart draws; <see cref="YMax"/> fixes the top of the y axis (panels that are compared share it).</summary>
public sealed record LineChartSpec(string Unit, string XTitle, string YTitle, double? YMax, bool Stepped, IReadOnlyList<LineSeries> Series)
{
    public string Kind => "lines";
}

/// <summary>The results page's charts as data: what is drawn is decided and tested here, the browser only draws it.</summary>
public static class ChartData
{
    public const string UploadColor = "#3949ab";
    public const string DownloadColor = "#c25e00";

    // Told apart by more than hue where possible; each holds 3:1 against white.
    private static readonly string[] ProtocolColors = ["#455a64", "#3949ab", "#c25e00", "#00796b", "#ad1457", "#6d4c41"];

    /// <summary>The colour of the protocol at this position (charts that show several protocols tell them apart by it).</summary>
    public static string ProtocolColor(int index) => ProtocolColors[index % ProtocolColors.Length];

    /// <summary>
    /// Absolute TCP throughput per tunnel: the median of the repetitions as the bar, their lowest and highest as the whiskers;
    /// direct's medians as reference lines rather than bars (a bar three times taller would flatten the others).
    /// </summary>
    public static BarChartSpec ThroughputBars(ResultsView view)
    {
        ArgumentNullException.ThrowIfNull(view);
        var tunnels = view.Report.Protocols.Where(p => !ResultsView.IsBaseline(p.Protocol)).ToList();
        var labels = tunnels.Select(p => ResultsView.DisplayName(p.Protocol) + (p.Succeeded ? string.Empty : " (failed)")).ToList();
        var series = new List<BarSeries>
        {
            Bars("Upload", UploadColor, tunnels.Select(p => p.TcpUpload)),
            Bars("Download", DownloadColor, tunnels.Select(p => p.TcpDownload)),
        };

        var references = new List<ReferenceLine>();
        if (view.Raw(Core.Runs.Protocols.Direct) is { } direct)
        {
            AddReference(references, "upload", UploadColor, direct.TcpUpload);
            AddReference(references, "download", DownloadColor, direct.TcpDownload);
        }

        return new BarChartSpec("Mbit/s", labels, series, references);
    }

    /// <summary>
    /// Each protocol's per-second throughput over its representative repetition, one panel per protocol, every panel on the
    /// same y axis (the highest second of any of them, rounded up to a round number), so panels compare at a glance.
    /// </summary>
    public static IReadOnlyList<(string Protocol, LineChartSpec Chart)> ThroughputOverTime(ResultsView view)
    {
        ArgumentNullException.ThrowIfNull(view);
        var panels = new List<(string Protocol, LineSeries Upload, LineSeries Download)>();
        foreach (var protocol in view.Report.Protocols)
        {
            var upload = Seconds(ResultsView.RepresentativeIntervals(protocol.TcpUpload));
            var download = Seconds(ResultsView.RepresentativeIntervals(protocol.TcpDownload));
            if (upload.Count + download.Count > 0)
            {
                panels.Add((protocol.Protocol, new LineSeries("Upload", UploadColor, upload), new LineSeries("Download", DownloadColor, download)));
            }
        }

        var highest = panels.SelectMany(p => p.Upload.Points.Concat(p.Download.Points)).Select(p => p.Y).DefaultIfEmpty(0).Max();
        var yMax = RoundUp(highest);
        return [.. panels.Select(p => (p.Protocol, new LineChartSpec("Mbit/s", "second", "Mbit/s", yMax, false, [p.Upload, p.Download])))];
    }

    /// <summary>
    /// The distribution of round-trip times per protocol (an empirical CDF: each sample's share of samples at or below it),
    /// idle or under load; null when no protocol has samples.
    /// </summary>
    public static LineChartSpec? LatencyCdf(ResultsView view, bool underLoad)
    {
        ArgumentNullException.ThrowIfNull(view);
        var series = new List<LineSeries>();
        var index = 0;
        foreach (var protocol in view.Report.Protocols)
        {
            var color = ProtocolColors[index++ % ProtocolColors.Length];
            var samples = (underLoad ? protocol.LatencyLoaded : protocol.LatencyIdle)?.RttMs;
            if (samples is { Count: > 0 })
            {
                series.Add(new LineSeries(ResultsView.DisplayName(protocol.Protocol), color, Cdf(samples)));
            }
        }

        return series.Count == 0 ? null : new LineChartSpec("ms", "round-trip time (ms)", "share of pings", 1, true, series);
    }

    /// <summary>Sorted samples, each with the share of samples at or below it.</summary>
    public static IReadOnlyList<ChartPoint> Cdf(IReadOnlyList<double> samples)
    {
        ArgumentNullException.ThrowIfNull(samples);
        var sorted = samples.Order().ToList();
        return [.. sorted.Select((value, i) => new ChartPoint(value, Math.Round((double)(i + 1) / sorted.Count, 4)))];
    }

    /// <summary>The smallest 1, 2, 2.5 or 5 times a power of ten at or above <paramref name="value"/>.</summary>
    public static double RoundUp(double value)
    {
        if (value <= 0)
        {
            return 1;
        }

        var magnitude = Math.Pow(10, Math.Floor(Math.Log10(value)));
        foreach (var step in new[] { 1, 2, 2.5, 5, 10 })
        {
            if (step * magnitude >= value)
            {
                return step * magnitude;
            }
        }

        return 10 * magnitude;
    }

    private static BarSeries Bars(string name, string color, IEnumerable<IReadOnlyList<TcpSample>?> perTunnel)
    {
        var values = new List<double?>();
        var low = new List<double?>();
        var high = new List<double?>();
        foreach (var samples in perTunnel)
        {
            var mbps = samples?.Select(s => s.BitsPerSecond / 1e6).ToList() ?? [];
            values.Add(Rounded(Descriptive.Median(mbps)));
            low.Add(mbps.Count > 1 ? Rounded(mbps.Min()) : null);
            high.Add(mbps.Count > 1 ? Rounded(mbps.Max()) : null);
        }

        return new BarSeries(name, color, values, low, high);
    }

    private static void AddReference(List<ReferenceLine> references, string direction, string color, IReadOnlyList<TcpSample>? samples)
    {
        if (Rounded(Descriptive.Median([.. samples?.Select(s => s.BitsPerSecond / 1e6) ?? []])) is { } median)
        {
            references.Add(new ReferenceLine($"direct {direction}: {FigureFormat.Rate(median * 1e6)}", median, color));
        }
    }

    private static List<ChartPoint> Seconds(IReadOnlyList<double> intervals) =>
        [.. intervals.Select((bps, i) => new ChartPoint(i + 1, Math.Round(bps / 1e6, 1)))];

    private static double? Rounded(double? value) => value is null ? null : Math.Round(value.Value, 1);
}
