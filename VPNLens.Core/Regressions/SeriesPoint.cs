namespace VPNLens.Core.Regressions;

/// <summary>One run's figure in a series: when the run finished and its median.</summary>
public sealed record SeriesPoint(DateTimeOffset At, double Value);
