namespace VPNLens.Core.Regressions;

/// <summary>
/// When a shift becomes an alert: the detector's settings, how many of the latest verdicts must agree, and an
/// optional floor (percent of the earlier level) below which a significant shift is still not worth an alert.
/// </summary>
public sealed record RegressionPolicy
{
    public DetectorSettings Detector { get; init; } = new();

    public MOfN Rule { get; init; } = MOfN.Default;

    public double? FloorPercent { get; init; }
}
