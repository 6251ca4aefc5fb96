using VPNLens.Core.Statistics;
using VPNLens.Core.Verdicts;

namespace VPNLens.Web.Figures;

/// <summary>A run's verdict as the API and the JSON download carry it (docs/exports.md).</summary>
public sealed record VerdictDto(
    bool Noisy,
    IReadOnlyList<string> NoiseReasons,
    double NoiseFloorPercent,
    string Method,
    IReadOnlyList<MetricVerdictDto> Metrics)
{
    public const string MethodDescription =
        "Estimate: the ratio (or difference) of the two medians. Interval: exact distribution-free 95 % interval for " +
        "the shift between the two samples, the one that goes with the Mann-Whitney test (Bauer 1972; on the log scale " +
        "for a ratio); fewer than 4 measurements on a side may give none. A gap is called when the interval excludes " +
        "no difference and the gap exceeds the run's RSD threshold.";

    public static VerdictDto From(RunVerdict verdict)
    {
        ArgumentNullException.ThrowIfNull(verdict);
        return new VerdictDto(
            verdict.Noise.IsNoisy,
            verdict.Noise.Reasons,
            verdict.NoiseFloorPercent,
            MethodDescription,
            [.. verdict.Metrics.Select(MetricVerdictDto.From)]);
    }
}

public sealed record MetricVerdictDto(string Metric, string Label, string Unit, string Direction, IReadOnlyList<RankedDto> Ranking, IReadOnlyList<GapDto> Gaps)
{
    public static MetricVerdictDto From(MetricVerdict verdict)
    {
        ArgumentNullException.ThrowIfNull(verdict);
        var metric = verdict.Metric;
        return new MetricVerdictDto(
            metric.Key,
            metric.Label,
            UnitName(metric.Unit),
            metric.Direction,
            [.. verdict.Ranking.Select(r => new RankedDto(r.Protocol, r.Median, r.Count, r.VersusDirect))],
            [.. verdict.Gaps.Select(GapDto.From)]);
    }

    /// <summary>The unit a figure is exported in: the node's own units, never scaled.</summary>
    public static string UnitName(VerdictUnit unit) => unit switch
    {
        VerdictUnit.BitsPerSecond => "bit/s",
        VerdictUnit.Milliseconds => "ms",
        VerdictUnit.Percent => "percent",
        _ => "cpu_s_per_gb",
    };
}

public sealed record RankedDto(string Protocol, double Median, int N, string? VersusDirect);

/// <summary>One gap: the estimate and interval are a ratio (better / worse, or worse / better where lower is better) or a difference.</summary>
public sealed record GapDto(string Better, string Worse, string Call, string Scale, double? Estimate, double? Low, double? High, string Sentence)
{
    public static GapDto From(Gap gap)
    {
        ArgumentNullException.ThrowIfNull(gap);
        var comparison = gap.Comparison;
        return new GapDto(
            gap.Better,
            gap.Worse,
            CallName(gap.Call),
            comparison.Scale == ComparisonScale.Ratio ? "ratio" : "difference",
            comparison.Estimate,
            comparison.Interval?.Low,
            comparison.Interval?.High,
            gap.Sentence);
    }

    public static string CallName(GapCall call) => call switch
    {
        GapCall.Different => "different",
        GapCall.WithinNoise => "within_noise",
        _ => "no_confidence",
    };
}
