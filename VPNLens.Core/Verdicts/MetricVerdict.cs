namespace VPNLens.Core.Verdicts;

/// <summary>One VPN's place in a metric's ranking: its median, how many measurements it rests on, and how it reads against direct.</summary>
public sealed record RankedProtocol(string Protocol, double Median, int Count, string? VersusDirect);

/// <summary>A metric's verdict: the VPNs best first and the gap between each pair of neighbours.</summary>
public sealed record MetricVerdict(VerdictMetric Metric, IReadOnlyList<RankedProtocol> Ranking, IReadOnlyList<Gap> Gaps);

/// <summary>Why a run's figures deserve care; empty when nothing was noisy.</summary>
public sealed record NoiseReport(IReadOnlyList<string> Reasons)
{
    public bool IsNoisy => Reasons.Count > 0;

    public string Label => IsNoisy ? "noisy: treat with care" : "steady";
}

/// <summary>What a finished run answers: per metric the VPNs ranked with their gaps, and whether the run was noisy.</summary>
public sealed record RunVerdict(IReadOnlyList<MetricVerdict> Metrics, NoiseReport Noise, double NoiseFloorPercent)
{
    public MetricVerdict? For(string key) => Metrics.FirstOrDefault(m => m.Metric.Key == key);
}
