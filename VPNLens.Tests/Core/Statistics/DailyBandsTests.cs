using VPNLens.Core.Statistics;

namespace VPNLens.Tests.Core.Statistics;

public sealed class DailyBandsTests
{
    private static readonly DateTimeOffset Monday = new(2026, 11, 30, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Each_utc_day_gets_its_median_band_run_count_and_failures()
    {
        var figures = new[]
        {
            new RunFigure(Monday.AddDays(1).AddHours(3), false, 80),
            new RunFigure(Monday.AddHours(1), false, 100),
            new RunFigure(Monday.AddHours(9), false, 90),
            new RunFigure(Monday.AddHours(17), true, null),
            new RunFigure(Monday.AddDays(1).AddHours(23).AddMinutes(59), false, 120),
            new RunFigure(Monday.AddDays(1).AddHours(12), false, 110),
            new RunFigure(Monday.AddDays(1).AddHours(13), false, 95),
        };

        var days = DailyBands.Of(figures);

        Assert.Equal(
            [
                new DailyBand(new DateOnly(2026, 11, 30), 3, 1, 95, 90, 100),
                new DailyBand(new DateOnly(2026, 12, 1), 4, 0, 102.5, 80, 120),
            ],
            days);
    }

    [Fact]
    public void A_day_of_failed_runs_only_has_counts_and_no_figures()
    {
        var days = DailyBands.Of([new RunFigure(Monday, true, null), new RunFigure(Monday.AddHours(2), true, null)]);

        Assert.Equal([new DailyBand(new DateOnly(2026, 11, 30), 2, 2, null, null, null)], days);
    }

    [Fact]
    public void A_time_with_an_offset_counts_on_its_utc_day()
    {
        var lateEvening = new DateTimeOffset(2026, 11, 30, 23, 30, 0, TimeSpan.FromHours(-5));

        var band = Assert.Single(DailyBands.Of([new RunFigure(lateEvening, false, 1)]));

        Assert.Equal(new DateOnly(2026, 12, 1), band.Day);
    }
}
