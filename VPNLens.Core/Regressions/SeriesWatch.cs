namespace VPNLens.Core.Regressions;

/// <summary>
/// The stored <see cref="RegressionState"/> of one node × protocol × metric series taken with one set of run settings,
/// and its open alert: results taken with other settings are another series, with a baseline of its own.
/// </summary>
public sealed class SeriesWatch
{
    public long Id { get; set; }

    public Guid NodeId { get; set; }

    public required string Protocol { get; set; }

    public required string Metric { get; set; }

    /// <summary>The <see cref="Runs.RunSettingsFingerprint"/> of the settings the series' results were taken with.</summary>
    public required string SettingsKey { get; set; }

    public DateTimeOffset? EpochStart { get; set; }

    public DateTimeOffset? OpenedChangeAt { get; set; }

    public double? BaselineMean { get; set; }

    public double? RegressedMean { get; set; }

    public long? OpenAlertId { get; set; }

    public RegressionState State => new(OpenAlertId is not null, EpochStart, OpenedChangeAt, BaselineMean, RegressedMean);

    public void Store(RegressionState state, long? openAlertId)
    {
        ArgumentNullException.ThrowIfNull(state);
        EpochStart = state.EpochStart;
        OpenedChangeAt = state.OpenedChangeAt;
        BaselineMean = state.BaselineMean;
        RegressedMean = state.RegressedMean;
        OpenAlertId = state.IsOpen ? openAlertId : null;
    }
}
