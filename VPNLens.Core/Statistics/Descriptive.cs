namespace VPNLens.Core.Statistics;

/// <summary>Summary statistics over samples; every method tolerates an empty list by returning null.</summary>
public static class Descriptive
{
    public static double? Mean(IReadOnlyCollection<double> values) =>
        values.Count == 0 ? null : values.Average();

    /// <summary>Sample standard deviation (n - 1), 0 for a single sample.</summary>
    public static double? StandardDeviation(IReadOnlyCollection<double> values)
    {
        if (values.Count == 0)
        {
            return null;
        }

        if (values.Count == 1)
        {
            return 0;
        }

        var mean = values.Average();
        var sumOfSquares = values.Sum(v => (v - mean) * (v - mean));
        return Math.Sqrt(sumOfSquares / (values.Count - 1));
    }

    /// <summary>Population standard deviation, as ping's "mdev" reports it.</summary>
    public static double? PopulationDeviation(IReadOnlyCollection<double> values)
    {
        if (values.Count == 0)
        {
            return null;
        }

        var mean = values.Average();
        return Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / values.Count);
    }

    /// <summary>Relative standard deviation in percent (coefficient of variation).</summary>
    public static double? RelativeStandardDeviationPercent(IReadOnlyCollection<double> values)
    {
        var mean = Mean(values);
        var deviation = StandardDeviation(values);
        if (mean is null || deviation is null || mean.Value == 0)
        {
            return null;
        }

        return deviation.Value / Math.Abs(mean.Value) * 100;
    }

    public static double? Median(IReadOnlyCollection<double> values) => Percentile(values, 50);

    /// <summary>The median of the absolute deviations from the median; times 1.4826 it estimates a normal standard deviation, untouched by outliers.</summary>
    public static double? MedianAbsoluteDeviation(IReadOnlyCollection<double> values) =>
        Median(values) is { } median ? Median([.. values.Select(v => Math.Abs(v - median))]) : null;

    /// <summary>Percentile with linear interpolation between closest ranks (the "R-7" definition numpy and Excel use).</summary>
    public static double? Percentile(IReadOnlyCollection<double> values, double percentile)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(percentile, 0);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(percentile, 100);
        if (values.Count == 0)
        {
            return null;
        }

        var sorted = values.Order().ToArray();
        var rank = percentile / 100 * (sorted.Length - 1);
        var lower = (int)Math.Floor(rank);
        var upper = (int)Math.Ceiling(rank);
        return sorted[lower] + ((sorted[upper] - sorted[lower]) * (rank - lower));
    }
}
