using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Microsoft.Extensions.Caching.Memory;
using VPNLens.Core.Regressions;

namespace VPNLens.Web.History;

/// <summary>
/// The change points of a history series (E-Divisive, <see cref="EDivisive.DetectBounded"/>), remembered by the series' content:
/// the key is a SHA-256 of every point's time and value, so asking again for an unchanged series costs a hash, and a run that
/// finishes, fails or disappears changes the key without anyone having to invalidate it. E-Divisive is deterministic (seeded
/// permutations), so a remembered answer is the answer. Over <see cref="MaxPoints"/> points the detector works on medians of
/// consecutive runs, which bounds the cost of a miss for a series of any length.
/// </summary>
public sealed class SeriesChangePoints(IMemoryCache cache)
{
    /// <summary>The longest series searched point by point; a year of hourly runs becomes daily medians.</summary>
    public const int MaxPoints = 365;

    private static readonly TimeSpan Unused = TimeSpan.FromHours(1);
    private readonly EDivisive detector = new(new DetectorSettings());

    public IReadOnlyList<HistoryChangePoint> Of(IReadOnlyList<SeriesPoint> series)
    {
        ArgumentNullException.ThrowIfNull(series);
        return cache.GetOrCreate(KeyOf(series), entry =>
        {
            entry.SlidingExpiration = Unused;
            entry.Size = 1;
            return Detect(series);
        })!;
    }

    private List<HistoryChangePoint> Detect(IReadOnlyList<SeriesPoint> series) =>
        [.. detector.DetectBounded([.. series.Select(p => p.Value)], MaxPoints)
            .Select(c => new HistoryChangePoint(series[c.Index].At, c.Before.Mean, c.After.Mean, c.ShiftLow, c.ShiftHigh, c.PValue))];

    private static (Type, string) KeyOf(IReadOnlyList<SeriesPoint> series)
    {
        var words = new long[2 * series.Count];
        for (var i = 0; i < series.Count; i++)
        {
            words[2 * i] = series[i].At.UtcTicks;
            words[(2 * i) + 1] = BitConverter.DoubleToInt64Bits(series[i].Value);
        }

        return (typeof(SeriesChangePoints), Convert.ToHexString(SHA256.HashData(MemoryMarshal.AsBytes(words.AsSpan()))));
    }
}
