namespace VPNLens.Core.Regressions;

/// <summary>
/// When a shift becomes an alert: the detectors' settings, how many of the latest verdicts must agree, and an
/// optional floor (percent of the earlier level) below which a significant shift is still not worth an alert.
/// </summary>
public sealed record RegressionPolicy
{
    /// <summary>How each new result is judged while no alert is open: a CUSUM of rank scores (<see cref="RankCusum"/>).</summary>
    public CusumSettings Cusum { get; init; } = new();

    /// <summary>
    /// The tail test of an open alert's recovery. α = 0.001 (999 permutations) rather than the 0.01 of a one-off look:
    /// the same series is tested again after each run, so a level that lets 1 noise window in 100 through closes an
    /// alert in its own noise every few thousand results, even behind 3 of 3.
    /// </summary>
    public DetectorSettings Detector { get; init; } = new() { SignificanceLevel = 0.001, Permutations = 999 };

    public MOfN Rule { get; init; } = MOfN.Default;

    public double? FloorPercent { get; init; }
}
