using System.Text;
using VPNLens.Core.Results;
using VPNLens.Core.Runs;

namespace VPNLens.Web.Figures;

/// <summary>A run's stored results body, parsed once, with the summaries and the direct baseline the pages and downloads show.</summary>
public sealed class ResultsView
{
    private ResultsView(ResultsReport report)
    {
        Report = report;
        Summary = RunReport.From(report);
    }

    public ResultsReport Report { get; }

    public RunReport Summary { get; }

    public IReadOnlyList<ProtocolSummary> Protocols => Summary.Protocols;

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

    /// <summary>A figure as a share of the same figure over the direct baseline (1 = the same), or null without one.</summary>
    public double? ShareOfBaseline(Metric metric, ProtocolSummary protocol)
    {
        ArgumentNullException.ThrowIfNull(metric);
        ArgumentNullException.ThrowIfNull(protocol);
        if (protocol.Protocol == Core.Runs.Protocols.Direct || Baseline is null)
        {
            return null;
        }

        return Share(metric.Value(protocol), metric.Value(Baseline));
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
