using MathNet.Numerics.Statistics;

namespace VPNLens.Core.Regressions;

/// <summary>
/// E-Divisive with means: the non-parametric change-point detector of Matteson and James,
/// "A Nonparametric Approach for Multiple Change Point Analysis of Multivariate Data" (JASA 2014), with α = 1,
/// as Apache Otava (Hunter) and MongoDB use it on performance series. The split that maximises the scaled
/// energy distance between the two sides is the candidate; a permutation test within the segment says whether
/// it is significant. Significant splits are found by binary segmentation (each side searched again).
/// The permutations come from a seeded generator, so the same series always gives the same answer.
/// </summary>
public sealed class EDivisive(DetectorSettings settings)
{
    /// <summary>Every significant change point of <paramref name="series"/>, in order.</summary>
    public IReadOnlyList<ChangePoint> Detect(IReadOnlyList<double> series)
    {
        ArgumentNullException.ThrowIfNull(series);
        var found = new List<ChangePoint>();
        Bisect(series, 0, series.Count, found);
        found.Sort((a, b) => a.Index.CompareTo(b.Index));
        return found;
    }

    /// <summary>
    /// The change points of a series of any length at a bounded cost. Up to <paramref name="maxPoints"/> values this is
    /// <see cref="Detect"/>. A longer series is cut into runs of consecutive values, as few per run as keeps their number
    /// within <paramref name="maxPoints"/> (24 for a year of hourly results: daily medians), and E-Divisive runs over the
    /// runs' medians; each change found is placed at the first value of its run and described (sides, shift and its
    /// interval) from the values themselves over the same segments. The p-value is the medians' test.
    /// </summary>
    public IReadOnlyList<ChangePoint> DetectBounded(IReadOnlyList<double> series, int maxPoints)
    {
        ArgumentNullException.ThrowIfNull(series);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxPoints, 2 * settings.MinimumSegment);
        var n = series.Count;
        if (n <= maxPoints)
        {
            return Detect(series);
        }

        var size = (n + maxPoints - 1) / maxPoints;
        var medians = new double[(n + size - 1) / size];
        for (var b = 0; b < medians.Length; b++)
        {
            var start = b * size;
            var bucket = new double[Math.Min(size, n - start)];
            for (var i = 0; i < bucket.Length; i++)
            {
                bucket[i] = series[start + i];
            }

            medians[b] = bucket.Median();
        }

        return [.. Detect(medians).Select(c => Describe(
            series,
            (c.Index - c.Before.Count) * size,
            c.Index * size,
            Math.Min(n, (c.Index + c.After.Count) * size),
            c.PValue))];
    }

    /// <summary>The latest significant change point of <paramref name="series"/>, or null.</summary>
    public ChangePoint? Latest(IReadOnlyList<double> series)
    {
        var points = Detect(series);
        return points.Count == 0 ? null : points[^1];
    }

    /// <summary>
    /// Whether the latest results moved: the best split whose later side holds between <paramref name="shortest"/> and
    /// <paramref name="longest"/> of the latest values, tested with the same seeded permutation test (the permuted
    /// series get the same restricted search, so the choice of split is paid for). E-Divisive's search over every
    /// split favours splits near the middle, which hides a shift in the last few results.
    /// </summary>
    public ChangePoint? TestTail(IReadOnlyList<double> series, int shortest, int longest) => TestTail(series, shortest, longest, _ => true);

    /// <summary>
    /// As <see cref="TestTail(IReadOnlyList{double}, int, int)"/>, but the permutation test runs only when the best split is
    /// <paramref name="worthTesting"/> (judged on the split's sides, before its p-value is known): a split that could not
    /// matter costs one search, not a permutation test.
    /// </summary>
    public ChangePoint? TestTail(IReadOnlyList<double> series, int shortest, int longest, Func<ChangePoint, bool> worthTesting)
    {
        ArgumentNullException.ThrowIfNull(worthTesting);
        ArgumentNullException.ThrowIfNull(series);
        var n = series.Count;
        var first = Math.Max(settings.MinimumSegment, n - longest);
        var last = n - Math.Max(shortest, settings.MinimumSegment);
        if (last < first)
        {
            return null;
        }

        var values = series.ToArray();
        var (split, statistic) = BestSplit(values, first, last);
        var candidate = Describe(series, 0, split, n, double.NaN);
        if (!worthTesting(candidate))
        {
            return null;
        }

        var pValue = PermutationPValue(values, statistic, shuffled => BestSplit(shuffled, first, last).Statistic);
        return pValue > settings.SignificanceLevel ? null : candidate with { PValue = pValue };
    }

    private static double Scaled(int n, int left, double across, double withinLeft, double withinRight)
    {
        var right = n - left;
        var energy = (2.0 * across / (left * right))
            - (withinLeft / (left * (left - 1) / 2.0))
            - (withinRight / (right * (right - 1) / 2.0));
        return left * (double)right / n * energy;
    }

    private void Bisect(IReadOnlyList<double> series, int start, int end, List<ChangePoint> found)
    {
        var length = end - start;
        if (length < 2 * settings.MinimumSegment)
        {
            return;
        }

        var segment = new double[length];
        for (var i = 0; i < length; i++)
        {
            segment[i] = series[start + i];
        }

        var (split, statistic) = BestSplit(segment, settings.MinimumSegment, length - settings.MinimumSegment);
        var pValue = PermutationPValue(segment, statistic, shuffled => BestSplit(shuffled, settings.MinimumSegment, length - settings.MinimumSegment).Statistic);
        if (pValue > settings.SignificanceLevel)
        {
            return;
        }

        var index = start + split;
        found.Add(Describe(series, start, index, end, pValue));
        Bisect(series, start, index, found);
        Bisect(series, index, end, found);
    }

    /// <summary>
    /// The split τ in [first, last] maximising Q(τ) = τ(n−τ)/n · Ê(τ), where Ê is the energy distance between x[..τ] and x[τ..]:
    /// twice the mean distance across, minus the mean distance within each side. Moving one value at a time from the
    /// right side to the left, the sum of its distances to either side comes from counts and sums of the values below
    /// and above it (Fenwick trees over the ranks of the distinct values): O(n log n), so a year of hourly results
    /// costs milliseconds rather than seconds. Equal values are neither below nor above, so ties add exactly 0.
    /// </summary>
    internal static (int Split, double Statistic) BestSplit(double[] x, int first, int last)
    {
        var n = x.Length;
        var distinct = (double[])x.Clone();
        Array.Sort(distinct);
        var k = 0;
        for (var i = 0; i < n; i++)
        {
            if (k == 0 || distinct[i] != distinct[k - 1])
            {
                distinct[k++] = distinct[i];
            }
        }

        var rank = new int[n];
        var countAt = new long[k];
        for (var i = 0; i < n; i++)
        {
            rank[i] = Array.BinarySearch(distinct, 0, k, x[i]);
            countAt[rank[i]]++;
        }

        // Over all values: how many lie below each rank, and their sum; the sum of |xi − xj| over all pairs.
        var countBelow = new long[k + 1];
        var sumBelow = new double[k + 1];
        var total = 0.0;
        for (var r = 0; r < k; r++)
        {
            countBelow[r + 1] = countBelow[r] + countAt[r];
            sumBelow[r + 1] = sumBelow[r] + (countAt[r] * distinct[r]);
        }

        for (var r = 0; r < k; r++)
        {
            total += countAt[r] * distinct[r] * (countBelow[r] - (n - countBelow[r + 1]));
        }

        var leftCounts = new long[k + 1];
        var leftSums = new double[k + 1];
        long leftCount = 0;
        var leftSum = 0.0;

        // Within-left and within-right sums of |xi − xj| over pairs; τ = 0 puts everything on the right.
        double withinLeft = 0, withinRight = total;
        var bestSplit = -1;
        var best = double.NegativeInfinity;
        for (var tau = 1; tau <= last; tau++)
        {
            var moved = x[tau - 1];
            var r = rank[tau - 1];
            var (leftBelowCount, leftBelowSum) = Prefix(leftCounts, leftSums, r);
            var (leftUpToCount, leftUpToSum) = Prefix(leftCounts, leftSums, r + 1);
            var toLeft = (moved * leftBelowCount) - leftBelowSum + (leftSum - leftUpToSum) - (moved * (leftCount - leftUpToCount));

            // the right side is every value but the left side and the moved one
            var rightBelowCount = countBelow[r] - leftBelowCount;
            var rightBelowSum = sumBelow[r] - leftBelowSum;
            var rightUpToCount = countBelow[r + 1] - leftUpToCount - 1;
            var rightUpToSum = sumBelow[r + 1] - leftUpToSum - moved;
            var rightCount = n - leftCount - 1;
            var rightSum = sumBelow[k] - leftSum - moved;
            var toRight = (moved * rightBelowCount) - rightBelowSum + (rightSum - rightUpToSum) - (moved * (rightCount - rightUpToCount));

            for (var i = r + 1; i <= k; i += i & -i)
            {
                leftCounts[i]++;
                leftSums[i] += moved;
            }

            leftCount++;
            leftSum += moved;
            withinLeft += toLeft;
            withinRight -= toRight;
            if (tau < first)
            {
                continue;
            }

            var q = Scaled(n, tau, total - withinLeft - withinRight, withinLeft, withinRight);
            if (q > best)
            {
                best = q;
                bestSplit = tau;
            }
        }

        return (bestSplit, best);
    }

    /// <summary>The count and sum of the Fenwick trees' values with a rank below <paramref name="end"/>.</summary>
    private static (long Count, double Sum) Prefix(long[] counts, double[] sums, int end)
    {
        long count = 0;
        var sum = 0.0;
        for (var i = end; i > 0; i -= i & -i)
        {
            count += counts[i];
            sum += sums[i];
        }

        return (count, sum);
    }

    /// <summary>
    /// (1 + permutations at least as extreme) / (1 + permutations), stopping early once the answer cannot be
    /// significant (Besag and Clifford's sequential p-value): a quiet series costs a handful of permutations.
    /// </summary>
    private double PermutationPValue(double[] segment, double statistic, Func<double[], double> statisticOf)
    {
        var random = new Random(settings.Seed);
        var shuffled = (double[])segment.Clone();
        var limit = (int)Math.Ceiling(settings.SignificanceLevel * (settings.Permutations + 1));
        var atLeast = 0;
        for (var p = 1; p <= settings.Permutations; p++)
        {
            random.Shuffle(shuffled);
            if (statisticOf(shuffled) >= statistic)
            {
                atLeast++;
                if (atLeast >= limit)
                {
                    return (atLeast + 1.0) / (p + 1.0);
                }
            }
        }

        return (atLeast + 1.0) / (settings.Permutations + 1.0);
    }

    /// <summary>The change at <paramref name="index"/> between series[start..index) and series[index..end), with the given p-value.</summary>
    internal static ChangePoint Describe(IReadOnlyList<double> series, int start, int index, int end, double pValue)
    {
        var before = Summarise(series, start, index);
        var after = Summarise(series, index, end);
        var (low, high) = Welch.Interval(before, after);
        return new ChangePoint(index, pValue, before, after, low, high);
    }

    private static Segment Summarise(IReadOnlyList<double> series, int start, int end)
    {
        var values = new double[end - start];
        for (var i = start; i < end; i++)
        {
            values[i - start] = series[i];
        }

        return new Segment(values.Length, values.Mean(), values.StandardDeviation());
    }
}
