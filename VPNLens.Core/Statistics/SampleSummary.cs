namespace VPNLens.Core.Statistics;

/// <summary>Median and spread of repeated measurements of one figure.</summary>
public sealed record SampleSummary(int Count, double Median, double Min, double Max, double Mean, double StandardDeviation)
{
    public double RelativeStandardDeviationPercent => Mean == 0 ? 0 : StandardDeviation / Math.Abs(Mean) * 100;

    public static SampleSummary? Of(IReadOnlyCollection<double> samples)
    {
        if (samples.Count == 0)
        {
            return null;
        }

        return new SampleSummary(
            samples.Count,
            Descriptive.Median(samples)!.Value,
            samples.Min(),
            samples.Max(),
            Descriptive.Mean(samples)!.Value,
            Descriptive.StandardDeviation(samples)!.Value);
    }
}
