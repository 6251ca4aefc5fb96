using System.ComponentModel.DataAnnotations;

namespace VPNLens.Core.Regressions;

/// <summary>How the change-point detector tests a series. The seed makes every verdict reproducible.</summary>
public sealed record DetectorSettings
{
    /// <summary>The significance level of the permutation test.</summary>
    [Range(0.0001, 0.5)]
    public double SignificanceLevel { get; init; } = 0.01;

    /// <summary>Permutations per test; the smallest p-value it can show is 1 / (Permutations + 1).</summary>
    [Range(19, 10_000)]
    public int Permutations { get; init; } = 199;

    /// <summary>The fewest results on each side of a change point.</summary>
    [Range(2, 50)]
    public int MinimumSegment { get; init; } = 3;

    /// <summary>How many of the latest results a verdict looks at.</summary>
    [Range(6, 1000)]
    public int Window { get; init; } = 40;

    public int Seed { get; init; } = 20140101;
}
