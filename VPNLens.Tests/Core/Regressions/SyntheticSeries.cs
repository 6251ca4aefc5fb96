using MathNet.Numerics.Distributions;
using VPNLens.Core.Regressions;

namespace VPNLens.Tests.Core.Regressions;

/// <summary>Seeded synthetic run medians: the same seed always gives the same series.</summary>
internal static class SyntheticSeries
{
    public static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Normal noise with the given relative standard deviation around <paramref name="level"/>.</summary>
    public static double[] Normal(Random random, int count, double level, double rsdPercent) =>
        [.. Enumerable.Range(0, count).Select(_ => MathNet.Numerics.Distributions.Normal.Sample(random, level, level * rsdPercent / 100))];

    /// <summary>Student's t with 3 degrees of freedom: rare large outliers, scaled to the same spread as the normal case.</summary>
    public static double[] HeavyTailed(Random random, int count, double level, double rsdPercent) =>
        [.. Enumerable.Range(0, count).Select(_ => level + (StudentT.Sample(random, 0, level * rsdPercent / 100 / Math.Sqrt(3), 3)))];

    /// <summary>Two modes a sixth apart (a path that sometimes takes a slower route), 70 / 30, independent draws.</summary>
    public static double[] Bimodal(Random random, int count, double level) =>
        [.. Enumerable.Range(0, count).Select(_ => random.NextDouble() < 0.7
            ? MathNet.Numerics.Distributions.Normal.Sample(random, level, level * 0.03)
            : MathNet.Numerics.Distributions.Normal.Sample(random, level * 0.84, level * 0.03))];

    public static SeriesPoint[] Points(IEnumerable<double> values) =>
        [.. values.Select((v, i) => new SeriesPoint(Start.AddHours(i), v))];
}
