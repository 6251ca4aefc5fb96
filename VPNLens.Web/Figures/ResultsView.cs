using System.Text;
using VPNLens.Core.Results;
using VPNLens.Core.Runs;
using VPNLens.Core.Verdicts;

namespace VPNLens.Web.Figures;

/// <summary>A run's stored results body, parsed once, with the summaries and the direct baseline the pages and downloads show.</summary>
public sealed class ResultsView
{
    private ResultsView(ResultsReport report)
    {
        Report = report;
        Summary = RunReport.From(report);
        Verdict = RunVerdicts.From(report);
        RateScale = Quantities.ScaleFor(Summary.Protocols.SelectMany(p => new[] { p.UploadBitsPerSecond?.Max, p.DownloadBitsPerSecond?.Max, p.UdpBitsPerSecond?.Max }));
    }

    public ResultsReport Report { get; }

    public RunReport Summary { get; }

    /// <summary>Which VPN wins each metric, by how much, and whether the run was too noisy to trust.</summary>
    public RunVerdict Verdict { get; }

    /// <summary>The one unit every rate of this run is shown in.</summary>
    public RateScale RateScale { get; }

    public IReadOnlyList<ProtocolSummary> Protocols => Summary.Protocols;

    /// <summary>When retention removed the per-second samples (the throughput-over-time charts); null while they are kept.</summary>
    public DateTimeOffset? SamplesRemovedAt => Report.SamplesRemovedAt;

    public ProtocolSummary? Baseline => Summary.Baseline;

    /// <summary>Parses a stored results body; null when there is none (the run has not finished) or it cannot be read.</summary>
    public static ResultsView? From(string? resultsJson)
    {
        if (string.IsNullOrEmpty(resultsJson))
        {
            return null;
        }

        var parsed = ResultsParser.Parse(Encoding.UTF8.GetBytes(resultsJson));
        return parsed.IsValid ? new ResultsView(parsed.Value!) : null;
    }

    public ProtocolReport? Raw(string protocol) => Report.Protocols.FirstOrDefault(p => p.Protocol == protocol);

    public ProtocolSummary? Find(string protocol) => Summary.Protocols.FirstOrDefault(p => p.Protocol == protocol);

    /// <summary>
    /// A rate or a CPU cost as a share of the same figure over the direct baseline (1 = the same); null without a
    /// baseline, over a zero one, and for latency and loss, which read as a difference (<see cref="VersusBaseline"/>).
    /// </summary>
    public double? ShareOfBaseline(Metric metric, ProtocolSummary protocol)
    {
        ArgumentNullException.ThrowIfNull(metric);
        ArgumentNullException.ThrowIfNull(protocol);
        if (protocol.Protocol == Core.Runs.Protocols.Direct || Baseline is null || metric.Unit is MetricUnit.Milliseconds or MetricUnit.Percent)
        {
            return null;
        }

        return Share(metric.Value(protocol), metric.Value(Baseline));
    }

    /// <summary>"86.4 % of direct", "+0.300 ms over direct", "+0.4 pp over direct", "×2.3 direct's"; empty where it means nothing.</summary>
    public string VersusBaseline(Metric metric, ProtocolSummary protocol)
    {
        ArgumentNullException.ThrowIfNull(metric);
        ArgumentNullException.ThrowIfNull(protocol);
        if (protocol.Protocol == Core.Runs.Protocols.Direct || Baseline is null || metric.Value(protocol) is not { } value || metric.Value(Baseline) is not { } direct)
        {
            return string.Empty;
        }

        var difference = value - direct;
        return metric.Unit switch
        {
            MetricUnit.BitsPerSecond => FigureFormat.Share(ShareOfBaseline(metric, protocol)),
            MetricUnit.CpuSecondsPerGigabyte => ShareOfBaseline(metric, protocol) is { } ratio ? $"{Quantities.Multiple(ratio)} direct's" : string.Empty,
            MetricUnit.Milliseconds => $"{Quantities.WithSign(Quantities.Milliseconds(Math.Abs(difference)), difference)} over direct",
            _ => $"{Quantities.WithSign(Quantities.PercentagePoints(Math.Abs(difference)), difference)} over direct",
        };
    }

    public static double? Share(double? value, double? baseline) =>
        value is null || baseline is null or <= 0 ? null : value.Value / baseline.Value;

    /// <summary>The repetition whose throughput is closest to the median, as the representative one to chart.</summary>
    public static IReadOnlyList<double> RepresentativeIntervals(IReadOnlyList<TcpSample>? samples)
    {
        if (samples is not { Count: > 0 })
        {
            return [];
        }

        var median = Core.Statistics.Descriptive.Median([.. samples.Select(s => s.BitsPerSecond)])!.Value;
        return samples.OrderBy(s => Math.Abs(s.BitsPerSecond - median)).First().Intervals ?? [];
    }

    public static string DisplayName(string protocol) => Core.Runs.Protocols.DisplayName(protocol);

    public static bool IsBaseline(string protocol) => protocol == Core.Runs.Protocols.Direct;
}
