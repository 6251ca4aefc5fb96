using MathNet.Numerics.Distributions;
using VPNLens.Core.Results;
using VPNLens.Core.Statistics;

namespace VPNLens.Core.Verdicts;

/// <summary>
/// How far one protocol's metric moves from one run to the next on the same node at the same settings, from the
/// medians of earlier runs: the change between two runs that drift alone stays under 95 % of the time.
/// <see cref="Floor"/> is a relative change in percent for a ratio, and a change in the metric's unit for a difference.
/// </summary>
public sealed record RunToRunSpread(string Protocol, string MetricKey, ComparisonScale Scale, int Runs, double Floor)
{
    /// <summary>True when the change between two runs is larger than this node's run-to-run spread.</summary>
    public bool IsExceededBy(MedianComparison comparison)
    {
        ArgumentNullException.ThrowIfNull(comparison);
        return comparison.Estimate is { } estimate
            && (Scale == ComparisonScale.Ratio ? Math.Abs(estimate - 1) * 100 : Math.Abs(estimate)) > Floor;
    }
}

/// <summary>
/// The run-to-run spread of every metric from a node's earlier runs. A run's own repetitions see the noise inside the
/// run, not the drift of the machine between runs minutes or days apart, which on a shared VM is often larger. Each
/// earlier run gives one median per metric (on the log scale for a ratio). Two further runs that drift alone differ by
/// less than t(0.975, n − 1) × √2 × s 95 % of the time, s being the standard deviation of the n earlier medians: with
/// normal drift (a − b) / (s√2) follows Student's t with n − 1 degrees of freedom exactly. Few earlier runs give a
/// wide bound, as they should; an outlier among them widens it rather than being called a difference later.
/// </summary>
public static class RunToRunSpreads
{
    /// <summary>Fewer earlier runs than this give no estimate: the spread of four medians says little.</summary>
    public const int MinimumRuns = 5;


    public static IReadOnlyList<RunToRunSpread> From(IEnumerable<ResultsReport> earlierRuns)
    {
        ArgumentNullException.ThrowIfNull(earlierRuns);
        var medians = new Dictionary<(string Protocol, string Metric), List<double>>();
        foreach (var report in earlierRuns)
        {
            foreach (var protocol in report.Protocols.Where(p => p.Succeeded))
            {
                var summary = ProtocolSummary.From(protocol);
                foreach (var metric in VerdictMetrics.All)
                {
                    if (Descriptive.Median(metric.Samples(protocol, summary)) is not { } median
                        || (metric.Scale == ComparisonScale.Ratio && median <= 0))
                    {
                        continue;
                    }

                    var key = (protocol.Protocol, metric.Key);
                    if (!medians.TryGetValue(key, out var list))
                    {
                        medians[key] = list = [];
                    }

                    list.Add(metric.Scale == ComparisonScale.Ratio ? Math.Log(median) : median);
                }
            }
        }

        var spreads = new List<RunToRunSpread>();
        foreach (var metric in VerdictMetrics.All)
        {
            foreach (var ((protocol, key), values) in medians.Where(m => m.Key.Metric == metric.Key && m.Value.Count >= MinimumRuns).OrderBy(m => m.Key.Protocol, StringComparer.Ordinal))
            {
                var band = StudentT.InvCDF(0, 1, values.Count - 1, 0.975) * Math.Sqrt(2) * Descriptive.StandardDeviation(values)!.Value;
                var floor = metric.Scale == ComparisonScale.Ratio ? (Math.Exp(band) - 1) * 100 : band;
                spreads.Add(new RunToRunSpread(protocol, key, metric.Scale, values.Count, floor));
            }
        }

        return spreads;
    }
}
