using VPNLens.Core.Runs;
using VPNLens.Core.Statistics;
using VPNLens.Core.Verdicts;

namespace VPNLens.Web.Figures;

/// <summary>Two runs compared metric by metric, as <c>GET /api/compare</c> answers (docs/exports.md).</summary>
public sealed record ComparisonDto(
    ComparedRunDto A,
    ComparedRunDto B,
    bool EitherNoisy,
    string Method,
    IReadOnlyList<MetricChangeDto> Changes)
{
    public const string MethodDescription = VerdictDto.MethodDescription +
        " Between two runs of one node, a change is also called only beyond the node's run-to-run spread: from the medians " +
        "of its latest 20 earlier runs at the same settings (at least 5), 1.96 × √2 × 1.4826 × their median absolute deviation " +
        "(on the log scale for a ratio), the change drift alone stays under 95 % of the time.";

    public static ComparisonDto From(Run a, Run b, RunComparison comparison)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        ArgumentNullException.ThrowIfNull(comparison);
        return new ComparisonDto(
            ComparedRunDto.From(a, comparison.NoiseA),
            ComparedRunDto.From(b, comparison.NoiseB),
            comparison.EitherNoisy,
            MethodDescription,
            [.. comparison.Changes.Select(c => MetricChangeDto.From(c, comparison.ImprovedShown(c)))]);
    }
}

public sealed record ComparedRunDto(Guid Id, Guid NodeId, DateTimeOffset? FinishedAt, bool Noisy, IReadOnlyList<string> NoiseReasons)
{
    public static ComparedRunDto From(Run run, NoiseReport noise)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(noise);
        return new ComparedRunDto(run.Id, run.NodeId, run.FinishedAt, noise.IsNoisy, noise.Reasons);
    }
}

/// <summary>
/// How one protocol's metric moved from A to B: the estimate and interval are B over A (ratio) or B minus A (difference);
/// the run-to-run spread (percent for a ratio, the metric's unit for a difference) and the earlier runs it came from, null without enough of them.
/// </summary>
public sealed record MetricChangeDto(
    string Protocol,
    string Metric,
    string Label,
    string Unit,
    string Direction,
    string Call,
    string Scale,
    double? Estimate,
    double? Low,
    double? High,
    bool? Improved,
    string Text,
    double? RunToRunSpread,
    int? RunToRunRuns)
{
    /// <param name="improved">Better or worse beyond the noise, as shown: null for a tie, no confidence, or a noisy run.</param>
    public static MetricChangeDto From(MetricChange change, bool? improved)
    {
        ArgumentNullException.ThrowIfNull(change);
        var comparison = change.Comparison;
        return new MetricChangeDto(
            change.Protocol,
            change.Metric.Key,
            change.Metric.Label,
            MetricVerdictDto.UnitName(change.Metric.Unit),
            change.Metric.Direction,
            GapDto.CallName(change.Call),
            comparison.Scale == ComparisonScale.Ratio ? "ratio" : "difference",
            comparison.Estimate,
            comparison.Interval?.Low,
            comparison.Interval?.High,
            improved,
            change.Text,
            change.Spread?.Floor,
            change.Spread?.Runs);
    }
}
