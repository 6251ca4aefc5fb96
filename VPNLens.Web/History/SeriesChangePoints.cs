using System.Buffers.Binary;
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
/// consecutive runs, which bounds the cost of a miss for a series of any length. A series answered day by day is named by
/// its days' digests instead (<see cref="DayHash"/>, stored with each day), so a hit does not read the series at all.
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

    /// <summary>
    /// The change points of the series whose days have these digests (oldest first; days without a point left out):
    /// from memory when a series of the same days was asked for before, else from the points <paramref name="read"/> gives.
    /// </summary>
    public async Task<IReadOnlyList<HistoryChangePoint>> OfDaysAsync(IReadOnlyList<long> dayHashes, Func<Task<List<SeriesPoint>>> read)
    {
        ArgumentNullException.ThrowIfNull(read);
        var key = DaysKeyOf(dayHashes);
        if (cache.TryGetValue(key, out List<HistoryChangePoint>? known))
        {
            return known!;
        }

        var changes = Detect(await read());
        Remember(key, changes);
        return changes;
    }

    /// <summary>Finds and remembers the change points of a whole series whose days have these digests, before anyone asks.</summary>
    public void RememberDays(IReadOnlyList<long> dayHashes, IReadOnlyList<SeriesPoint> series)
    {
        ArgumentNullException.ThrowIfNull(series);
        Remember(DaysKeyOf(dayHashes), Detect(series));
    }

    /// <summary>A digest of one day's points in order, 0 for a day without any.</summary>
    public static long DayHash(IReadOnlyList<SeriesPoint> points)
    {
        ArgumentNullException.ThrowIfNull(points);
        return points.Count == 0 ? 0 : BinaryPrimitives.ReadInt64LittleEndian(SHA256.HashData(MemoryMarshal.AsBytes(Words(points).AsSpan())));
    }

    private void Remember((Type, string) key, List<HistoryChangePoint> changes)
    {
        using var entry = cache.CreateEntry(key);
        entry.SlidingExpiration = Unused;
        entry.Size = 1;
        entry.Value = changes;
    }

    private static (Type, string) DaysKeyOf(IReadOnlyList<long> dayHashes)
    {
        ArgumentNullException.ThrowIfNull(dayHashes);
        return (typeof(SeriesChangePoints), "days:" + Convert.ToHexString(SHA256.HashData(MemoryMarshal.AsBytes(dayHashes.ToArray().AsSpan()))));
    }

    private List<HistoryChangePoint> Detect(IReadOnlyList<SeriesPoint> series) =>
        [.. detector.DetectBounded([.. series.Select(p => p.Value)], MaxPoints)
            .Select(c => new HistoryChangePoint(series[c.Index].At, c.Before.Mean, c.After.Mean, c.ShiftLow, c.ShiftHigh, c.PValue))];

    private static (Type, string) KeyOf(IReadOnlyList<SeriesPoint> series) =>
        (typeof(SeriesChangePoints), Convert.ToHexString(SHA256.HashData(MemoryMarshal.AsBytes(Words(series).AsSpan()))));

    private static long[] Words(IReadOnlyList<SeriesPoint> series)
    {
        var words = new long[2 * series.Count];
        for (var i = 0; i < series.Count; i++)
        {
            words[2 * i] = series[i].At.UtcTicks;
            words[(2 * i) + 1] = BitConverter.DoubleToInt64Bits(series[i].Value);
        }

        return words;
    }
}
