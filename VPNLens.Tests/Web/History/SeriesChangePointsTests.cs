using Microsoft.Extensions.Caching.Memory;
using VPNLens.Core.Regressions;
using VPNLens.Tests.Core.Regressions;
using VPNLens.Web.History;

namespace VPNLens.Tests.Web.History;

public sealed class SeriesChangePointsTests : IDisposable
{
    private readonly MemoryCache cache = new(new MemoryCacheOptions());

    public void Dispose() => cache.Dispose();

    [Fact]
    public void A_series_asked_for_again_is_answered_from_memory()
    {
        var changePoints = new SeriesChangePoints(cache);
        var series = SyntheticSeries.Points(SyntheticSeries.Normal(new Random(1), 60, 100, 5));

        var first = changePoints.Of(series);

        Assert.Same(first, changePoints.Of([.. series]));
        Assert.Equal(1, cache.Count);
    }

    [Fact]
    public void A_run_that_finishes_after_a_series_was_asked_for_gives_its_change_points_at_once()
    {
        var changePoints = new SeriesChangePoints(cache);
        var random = new Random(2);
        var steady = SyntheticSeries.Points(SyntheticSeries.Normal(random, 40, 100, 3));
        Assert.Empty(changePoints.Of(steady));

        var dropped = SyntheticSeries.Points([.. steady.Select(p => p.Value), .. SyntheticSeries.Normal(random, 10, 70, 3)]);

        var point = Assert.Single(changePoints.Of(dropped));
        Assert.Equal(dropped[40].At, point.At);
        Assert.True(point.After < point.Before);
    }

    [Fact]
    public void The_same_values_at_other_times_are_another_series()
    {
        var changePoints = new SeriesChangePoints(cache);
        var values = SyntheticSeries.Normal(new Random(4), 30, 100, 3).Concat(SyntheticSeries.Normal(new Random(5), 30, 60, 3)).ToArray();
        var series = SyntheticSeries.Points(values);
        var later = series.Select(p => p with { At = p.At.AddDays(1) }).ToArray();

        Assert.Equal(series[30].At, Assert.Single(changePoints.Of(series)).At);
        Assert.Equal(later[30].At, Assert.Single(changePoints.Of(later)).At);
    }

    /// <summary>A series named by its days' digests is read once; days that changed are another series, read again.</summary>
    [Fact]
    public async Task A_series_by_day_is_read_only_when_its_days_are_new()
    {
        var changePoints = new SeriesChangePoints(cache);
        var random = new Random(6);
        var steady = SyntheticSeries.Points(SyntheticSeries.Normal(random, 40, 100, 3));
        var dropped = SyntheticSeries.Points([.. steady.Select(p => p.Value), .. SyntheticSeries.Normal(random, 10, 70, 3)]);
        var reads = 0;
        Task<List<SeriesPoint>> Read(IReadOnlyList<SeriesPoint> series)
        {
            reads++;
            return Task.FromResult(series.ToList());
        }

        Assert.Empty(await changePoints.OfDaysAsync([1, 2], () => Read(steady)));
        Assert.Empty(await changePoints.OfDaysAsync([1, 2], () => Read(dropped)));
        Assert.Equal(1, reads);

        var point = Assert.Single(await changePoints.OfDaysAsync([1, 3], () => Read(dropped)));
        Assert.Equal(dropped[40].At, point.At);
        Assert.Equal(2, reads);
    }

    [Fact]
    public void A_days_digest_follows_its_points_and_is_zero_without_any()
    {
        var day = SyntheticSeries.Points(SyntheticSeries.Normal(new Random(8), 24, 100, 3));

        Assert.Equal(0L, SeriesChangePoints.DayHash([]));
        Assert.Equal(SeriesChangePoints.DayHash(day), SeriesChangePoints.DayHash([.. day]));
        Assert.NotEqual(SeriesChangePoints.DayHash(day), SeriesChangePoints.DayHash([.. day.Take(23), day[23] with { Value = day[23].Value + 1 }]));
    }
}
