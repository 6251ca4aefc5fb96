using MathNet.Numerics;

namespace VPNLens.Core.Regressions;

/// <summary>
/// The quick way in for a large shift: at least M of the last N results worse than every result of the baseline
/// before them. Whatever the noise, while nothing changes every order of the results is as likely as any other, so the
/// chance that at least M of N fall beyond all m baseline results is C(N, M) / C(N + m, M) (ties only make it smaller).
/// The rule holds only where that chance is at most <see cref="SignificanceLevel"/>, which takes a long baseline (180
/// results at 3 of 3); there a collapse opens after M results, where <see cref="RankCusum"/>, whose scores its baseline's
/// length caps, needs five.
/// </summary>
public static class BeyondBaseline
{
    /// <summary>
    /// One in a million per look, so that the quick rule, asked after every run, adds about one false alarm per
    /// million results of noise to the CUSUM's.
    /// </summary>
    public const double SignificanceLevel = 1e-6;

    /// <summary>
    /// The baseline <c>[BaselineStart, ChangeIndex)</c> of the latest <paramref name="baseline"/> results before the last
    /// N, where at least M of the last N are worse than all of it; null when they are not, or the baseline is too short
    /// for the chance to be small enough.
    /// </summary>
    public static (int BaselineStart, int ChangeIndex)? Test(IReadOnlyList<double> values, bool higherIsBetter, MOfN rule, int baseline)
    {
        ArgumentNullException.ThrowIfNull(values);
        ArgumentNullException.ThrowIfNull(rule);
        var change = values.Count - rule.N;
        var start = Math.Max(0, change - baseline);
        if (change - start < 1 || Chance(rule, change - start) > SignificanceLevel)
        {
            return null;
        }

        return CountBeyond(values, start, change, higherIsBetter) >= rule.M ? (start, change) : null;
    }

    /// <summary>How many results from <paramref name="change"/> on are worse than every result of values[start..change).</summary>
    public static int CountBeyond(IReadOnlyList<double> values, int start, int change, bool higherIsBetter)
    {
        ArgumentNullException.ThrowIfNull(values);
        var worst = higherIsBetter ? double.PositiveInfinity : double.NegativeInfinity;
        for (var i = start; i < change; i++)
        {
            worst = higherIsBetter ? Math.Min(worst, values[i]) : Math.Max(worst, values[i]);
        }

        var beyond = 0;
        for (var i = change; i < values.Count; i++)
        {
            beyond += (higherIsBetter ? values[i] < worst : values[i] > worst) ? 1 : 0;
        }

        return beyond;
    }

    /// <summary>The chance, with no change, that at least M of N results fall beyond all of a baseline of <paramref name="baselineCount"/>.</summary>
    public static double Chance(MOfN rule, int baselineCount)
    {
        ArgumentNullException.ThrowIfNull(rule);
        return SpecialFunctions.Binomial(rule.N, rule.M) / SpecialFunctions.Binomial(rule.N + baselineCount, rule.M);
    }
}
