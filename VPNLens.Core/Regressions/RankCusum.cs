using MathNet.Numerics.Distributions;

namespace VPNLens.Core.Regressions;

/// <summary>
/// The sum after one result: <see cref="Statistic"/>, and the results it stands on: the candidate change (the first
/// result since the sum last left 0) and the baseline before it, <c>[BaselineStart, ChangeIndex)</c>.
/// </summary>
public readonly record struct CusumStep(double Statistic, int BaselineStart, int ChangeIndex);

/// <summary>
/// Page's one-sided CUSUM (Page, "Continuous inspection schemes", Biometrika 1954) over normal scores of sequential
/// ranks, a distribution-free CUSUM in the manner of McDonald ("A CUSUM procedure based on sequential ranks", Naval
/// Research Logistics 1990) and self-starting like Hawkins and Olwell's (Cumulative Sum Charts and Charting for
/// Quality Improvement, 1998, ch. 7): no level or spread is assumed, each result is placed among the baseline's.
/// A result's placement q = (below + ½ equal + ½) / (m + 1) among the m baseline results becomes the normal score
/// z = Φ⁻¹(q), signed so that worse is positive, and S = max(0, S + z − k). The baseline is the latest
/// <see cref="CusumSettings.Baseline"/> results before the candidate change (the result at which S last left 0),
/// frozen while S stays above 0, so the change does not leak into the level it is judged against.
/// Under no change the scores are close to standard normal whatever the noise (normal, heavy-tailed, bimodal), so
/// one threshold gives the same false-alarm rate for all; one outlier adds at most Φ⁻¹(1 − ½ / (m + 1)) − k.
/// </summary>
public static class RankCusum
{
    /// <summary>
    /// The sum after each result of <paramref name="values"/> (oldest first), run over the latest
    /// <see cref="CusumSettings.Horizon"/>; earlier results, and those without a full minimum baseline, get 0.
    /// </summary>
    public static CusumStep[] Path(IReadOnlyList<double> values, bool lowerIsWorse, CusumSettings settings)
    {
        ArgumentNullException.ThrowIfNull(values);
        ArgumentNullException.ThrowIfNull(settings);
        var n = values.Count;
        var path = new CusumStep[n];
        var sum = 0.0;
        var change = 0;
        for (var t = 0; t < n; t++)
        {
            var candidate = sum > 0 ? change : t;
            var baselineStart = Math.Max(0, candidate - settings.Baseline);
            if (t < n - settings.Horizon || candidate - baselineStart < settings.MinimumBaseline)
            {
                path[t] = new CusumStep(0, baselineStart, t);
                continue;
            }

            var score = Score(values, baselineStart, candidate, values[t]);
            var next = Math.Max(0, sum + (lowerIsWorse ? -score : score) - settings.Reference);
            change = sum > 0 ? change : t;
            sum = next;
            path[t] = new CusumStep(sum, baselineStart, sum > 0 ? change : t);
        }

        return path;
    }

    /// <summary>The normal score of <paramref name="value"/>'s placement among values[start..end).</summary>
    private static double Score(IReadOnlyList<double> values, int start, int end, double value)
    {
        var below = 0.0;
        for (var i = start; i < end; i++)
        {
            below += values[i] < value ? 1 : values[i] == value ? 0.5 : 0;
        }

        return Normal.InvCDF(0, 1, (below + 0.5) / (end - start + 1));
    }
}
