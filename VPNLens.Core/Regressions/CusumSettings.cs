using System.ComponentModel.DataAnnotations;

namespace VPNLens.Core.Regressions;

/// <summary>
/// How <see cref="RankCusum"/> judges each new result. The defaults are tuned for a -15 % step in noise of 10 % RSD
/// (1.5 standard deviations) with about one false alarm in 50,000 or more results of noise at 3 of 3 (see
/// bench/README.md, detector delay and false alarms).
/// </summary>
public sealed record CusumSettings
{
    /// <summary>Page's reference value k, in standard deviations: half the shift the test is tuned to find fastest.</summary>
    [Range(0.1, 3)]
    public double Reference { get; init; } = 0.75;

    /// <summary>Page's decision interval h: a result is "worse" while the sum is above it.</summary>
    [Range(1, 50)]
    public double Threshold { get; init; } = 6;

    /// <summary>The most results before the candidate change that form the baseline.</summary>
    [Range(10, 1000)]
    public int Baseline { get; init; } = 200;

    /// <summary>The fewest results a baseline needs before any result is judged against it.</summary>
    [Range(5, 200)]
    public int MinimumBaseline { get; init; } = 20;

    /// <summary>How many of the latest results the sum is run over (it restarts at 0 so often in noise that an older start changes nothing).</summary>
    [Range(20, 1000)]
    public int Horizon { get; init; } = 200;
}
