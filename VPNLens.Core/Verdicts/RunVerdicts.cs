using System.Text.Json;
using VPNLens.Core.Results;
using VPNLens.Core.Runs;
using VPNLens.Core.Statistics;

namespace VPNLens.Core.Verdicts;

/// <summary>Builds a run's verdict from its results: every metric's VPNs ranked, each gap judged against the run's noise floor.</summary>
public static class RunVerdicts
{
    /// <summary>The relative spread a run accepts as settled when its settings do not say (RunSettings.RsdThresholdPercent).</summary>
    public const double DefaultNoiseFloorPercent = 5;

    public static RunVerdict From(ResultsReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var floor = NoiseFloor(report);
        var measured = report.Protocols.Where(p => p.Succeeded).Select(p => (Raw: p, Summary: ProtocolSummary.From(p))).ToList();
        var direct = measured.FirstOrDefault(p => p.Raw.Protocol == Protocols.Direct);
        var metrics = new List<MetricVerdict>();
        foreach (var metric in VerdictMetrics.All)
        {
            var ranked = measured
                .Where(p => p.Raw.Protocol != Protocols.Direct)
                .Select(p => (p.Raw.Protocol, Samples: metric.Samples(p.Raw, p.Summary)))
                .Where(p => p.Samples.Count > 0)
                .Select(p => (p.Protocol, p.Samples, Median: Descriptive.Median([.. p.Samples])!.Value))
                .ToList();
            if (ranked.Count == 0)
            {
                continue;
            }

            ranked = [.. metric.HigherIsBetter ? ranked.OrderByDescending(p => p.Median) : ranked.OrderBy(p => p.Median)];
            var directSamples = direct.Raw is null ? [] : metric.Samples(direct.Raw, direct.Summary);
            var directMedian = Descriptive.Median([.. directSamples]);
            var ranking = ranked.Select(p => new RankedProtocol(p.Protocol, p.Median, p.Samples.Count, VerdictText.VersusDirect(metric, p.Median, directMedian))).ToList();
            var gaps = new List<Gap>();
            for (var i = 0; i + 1 < ranked.Count; i++)
            {
                var (better, worse) = (ranked[i], ranked[i + 1]);
                var comparison = metric.HigherIsBetter
                    ? MedianComparison.Compare(metric.Scale, better.Samples, worse.Samples)
                    : MedianComparison.Compare(metric.Scale, worse.Samples, better.Samples);
                var call = GapRule.Call(comparison, metric, floor);
                gaps.Add(new Gap(better.Protocol, worse.Protocol, call, comparison, VerdictText.Gap(metric, better.Protocol, worse.Protocol, comparison, call)));
            }

            metrics.Add(new MetricVerdict(metric, ranking, gaps));
        }

        return new RunVerdict(metrics, NoiseCheck.Of(report, floor), floor);
    }

    /// <summary>The run's RSD threshold: a gap smaller than the spread the run accepts as settled is not called.</summary>
    public static double NoiseFloor(ResultsReport report) =>
        report?.Settings is { } settings && settings.TryGetValue("rsdThresholdPercent", out var e) && e.ValueKind == JsonValueKind.Number && e.GetDouble() > 0
            ? e.GetDouble()
            : DefaultNoiseFloorPercent;
}
