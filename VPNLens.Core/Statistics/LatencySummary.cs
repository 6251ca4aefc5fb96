namespace VPNLens.Core.Statistics;

/// <summary>What ping reports (min/avg/max/mdev, loss) plus percentiles from the per-packet round trips.</summary>
public sealed record LatencySummary(
    int Sent,
    int Received,
    double LossPercent,
    double? MinMs,
    double? AvgMs,
    double? MaxMs,
    double? MdevMs,
    double? P50Ms,
    double? P95Ms,
    double? P99Ms)
{
    public static LatencySummary Of(int sent, int received, IReadOnlyCollection<double> roundTripsMs)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(sent);
        var loss = sent == 0 ? 0 : Math.Max(0, sent - received) * 100.0 / sent;
        return new LatencySummary(
            sent,
            received,
            loss,
            roundTripsMs.Count == 0 ? null : roundTripsMs.Min(),
            Descriptive.Mean(roundTripsMs),
            roundTripsMs.Count == 0 ? null : roundTripsMs.Max(),
            Descriptive.PopulationDeviation(roundTripsMs),
            Descriptive.Percentile(roundTripsMs, 50),
            Descriptive.Percentile(roundTripsMs, 95),
            Descriptive.Percentile(roundTripsMs, 99));
    }
}
