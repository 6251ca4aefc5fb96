using MathNet.Numerics.Statistics;
using Perfolizer.Mathematics.SignificanceTesting.MannWhitney;

namespace VPNLens.Core.Statistics;

/// <summary>
/// The exact distribution-free confidence interval for the shift between two samples, the one that goes with the
/// Mann-Whitney test (Bauer 1972; Hollander, Wolfe and Chicken, Nonparametric Statistical Methods, 3rd ed., §4.3):
/// of the m·n differences a_i - b_j, the k-th smallest and the k-th largest, where k is the largest count with
/// P(U &lt; k) ≤ (1 - level) / 2 under the null hypothesis. Its coverage is at least <c>level</c> whatever the
/// distribution, so with few repetitions it is wide or does not exist: three against three cannot reach 95 %
/// (P(U = 0) = 1/20), four against four can (1/70). U's distribution is exact (Löffler's recurrence) while both
/// samples together hold at most 60 values, Edgeworth's approximation above that (Perfolizer).
/// </summary>
public static class ShiftInterval
{
    private const int MaxExactValues = 60;

    /// <returns>The interval, or null when the samples are too small for <paramref name="level"/>.</returns>
    public static (double Low, double High)? For(double[] a, double[] b, double level)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(level);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(level, 1);
        var k = Depth(a.Length, b.Length, (1 - level) / 2);
        if (k == 0)
        {
            return null;
        }

        var differences = new double[a.Length * b.Length];
        var next = 0;
        foreach (var x in a)
        {
            foreach (var y in b)
            {
                differences[next++] = x - y;
            }
        }

        var low = ArrayStatistics.OrderStatisticInplace(differences, k);
        var high = ArrayStatistics.OrderStatisticInplace(differences, differences.Length + 1 - k);
        return (low, high);
    }

    /// <summary>The largest k with P(U &lt; k) ≤ <paramref name="tail"/>; 0 when even P(U = 0) is larger.</summary>
    internal static int Depth(int m, int n, double tail)
    {
        IMannWhitneyCdf cdf = m + n <= MaxExactValues ? new MannWhitneyLoefflerExactCdf() : new MannWhitneyEdgeworthApproxCdf();
        int below = 0, above = (m * n / 2) + 1;
        while (above - below > 1)
        {
            var middle = below + ((above - below) / 2);
            if (cdf.Cdf(m, n, middle) <= tail)
            {
                below = middle;
            }
            else
            {
                above = middle;
            }
        }

        return below;
    }
}
