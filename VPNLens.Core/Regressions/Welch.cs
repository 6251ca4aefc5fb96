using MathNet.Numerics.Distributions;

namespace VPNLens.Core.Regressions;

/// <summary>Welch's t for the difference of two means with unequal variances (Welch–Satterthwaite degrees of freedom).</summary>
public static class Welch
{
    /// <summary>95 % interval of After − Before.</summary>
    public static (double Low, double High) Interval(Segment before, Segment after)
    {
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(after);
        var shift = after.Mean - before.Mean;
        var (standardError, degrees) = Spread(before, after);
        if (standardError == 0)
        {
            return (shift, shift);
        }

        var t = StudentT.InvCDF(0, 1, degrees, 0.975);
        return (shift - (t * standardError), shift + (t * standardError));
    }

    /// <summary>The two-sided p-value of "the means are equal".</summary>
    public static double PValue(Segment before, Segment after)
    {
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(after);
        var shift = after.Mean - before.Mean;
        var (standardError, degrees) = Spread(before, after);
        if (standardError == 0)
        {
            return shift == 0 ? 1 : 0;
        }

        return 2 * StudentT.CDF(0, 1, degrees, -Math.Abs(shift) / standardError);
    }

    private static (double StandardError, double Degrees) Spread(Segment before, Segment after)
    {
        var va = before.StandardDeviation * before.StandardDeviation / before.Count;
        var vb = after.StandardDeviation * after.StandardDeviation / after.Count;
        var degrees = (va + vb) * (va + vb) / ((va * va / (before.Count - 1)) + (vb * vb / (after.Count - 1)));
        return (Math.Sqrt(va + vb), degrees);
    }
}
