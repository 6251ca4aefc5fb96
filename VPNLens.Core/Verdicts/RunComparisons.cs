using VPNLens.Core.Results;
using VPNLens.Core.Runs;
using VPNLens.Core.Statistics;

namespace VPNLens.Core.Verdicts;

/// <summary>
/// How one protocol's metric moved from run A to run B, judged as a verdict judges a gap and, where the node's earlier
/// runs tell it (<see cref="Spread"/>), against how far its runs move from one to the next.
/// </summary>
public sealed record MetricChange(string Protocol, VerdictMetric Metric, MedianComparison Comparison, GapCall Call, string Text, RunToRunSpread? Spread = null)
{
    /// <summary>True when B is better beyond the noise; false when worse beyond the noise; null for a tie or no confidence.</summary>
    public bool? Improved => Call != GapCall.Different || Comparison.Estimate is not { } e
        ? null
        : Metric.HigherIsBetter == (e > Comparison.NoEffect);
}

/// <summary>Two runs compared metric by metric; a change from a noisy run is shown but never called better or worse.</summary>
public sealed record RunComparison(IReadOnlyList<MetricChange> Changes, NoiseReport NoiseA, NoiseReport NoiseB)
{
    public bool EitherNoisy => NoiseA.IsNoisy || NoiseB.IsNoisy;

    public bool? ImprovedShown(MetricChange change) => EitherNoisy ? null : change?.Improved;
}

public static class RunComparisons
{
    /// <param name="spreads">The run-to-run spread from the nodes' earlier runs at the same settings (<see cref="RunToRunSpreads"/>);
    /// a change inside it is a tie however narrow the runs' own intervals. Empty: judged on the runs alone.</param>
    public static RunComparison Compare(ResultsReport a, ResultsReport b, IReadOnlyCollection<RunToRunSpread>? spreads = null)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        var floor = Math.Max(RunVerdicts.NoiseFloor(a), RunVerdicts.NoiseFloor(b));
        var changes = new List<MetricChange>();
        var inA = a.Protocols.Where(p => p.Succeeded).ToDictionary(p => p.Protocol);
        foreach (var metric in VerdictMetrics.All)
        {
            foreach (var protocolB in b.Protocols.Where(p => p.Succeeded && inA.ContainsKey(p.Protocol)))
            {
                var protocolA = inA[protocolB.Protocol];
                var samplesA = metric.Samples(protocolA, ProtocolSummary.From(protocolA));
                var samplesB = metric.Samples(protocolB, ProtocolSummary.From(protocolB));
                if (samplesA.Count == 0 || samplesB.Count == 0)
                {
                    continue;
                }

                var comparison = MedianComparison.Compare(metric.Scale, samplesB, samplesA);
                var call = GapRule.Call(comparison, metric, floor);
                var spread = spreads?.FirstOrDefault(s => s.Protocol == protocolB.Protocol && s.MetricKey == metric.Key);
                var text = ChangeText(metric, comparison, call);
                if (call == GapCall.Different && spread is not null && !spread.IsExceededBy(comparison))
                {
                    call = GapCall.WithinNoise;
                    text = $"within this node's run-to-run spread: {text}, and {SpreadText(metric, spread)}";
                }

                changes.Add(new MetricChange(protocolB.Protocol, metric, comparison, call, text, spread));
            }
        }

        return new RunComparison(changes, NoiseCheck.Of(a, RunVerdicts.NoiseFloor(a)), NoiseCheck.Of(b, RunVerdicts.NoiseFloor(b)));
    }

    /// <summary>"+12 % (95 % CI 5–19 %)", "within noise (+2.1 %, 95 % CI −3.0 to 7.2 %)", "+0.12 ms (one repetition: ...)".</summary>
    public static string ChangeText(VerdictMetric metric, MedianComparison comparison, GapCall call)
    {
        ArgumentNullException.ThrowIfNull(metric);
        ArgumentNullException.ThrowIfNull(comparison);
        if (comparison.Estimate is not { } estimate)
        {
            return comparison.NoIntervalReason ?? Quantities.None;
        }

        var change = Change(metric, comparison.Scale, estimate);
        var interval = comparison.Interval is { } i ? $"95 % CI {Change(metric, comparison.Scale, i.Low)} to {Change(metric, comparison.Scale, i.High)}" : null;
        return call switch
        {
            GapCall.Different => $"{change} ({interval})",
            GapCall.WithinNoise => $"within noise ({change}, {interval})",
            _ => $"{change} ({comparison.NoIntervalReason})",
        };
    }

    /// <summary>"its runs differ by up to 7.9 % from drift alone (12 earlier runs)".</summary>
    public static string SpreadText(VerdictMetric metric, RunToRunSpread spread)
    {
        ArgumentNullException.ThrowIfNull(metric);
        ArgumentNullException.ThrowIfNull(spread);
        var size = spread.Scale == ComparisonScale.Ratio ? Quantities.Percent(spread.Floor)
            : metric.Unit == VerdictUnit.Percent ? Quantities.PercentagePoints(spread.Floor)
            : Quantities.Milliseconds(spread.Floor);
        return $"its runs differ by up to {size} from drift alone ({spread.Runs} earlier runs)";
    }

    private static string Change(VerdictMetric metric, ComparisonScale scale, double value)
    {
        var delta = scale == ComparisonScale.Ratio ? (value - 1) * 100 : value;
        var magnitude = scale == ComparisonScale.Ratio ? Quantities.Percent(Math.Abs(delta))
            : metric.Unit == VerdictUnit.Percent ? Quantities.PercentagePoints(Math.Abs(delta))
            : Quantities.Milliseconds(Math.Abs(delta));
        return delta == 0 ? magnitude : Quantities.WithSign(magnitude, delta);
    }

}
