using VPNLens.Core.Schedules;

namespace VPNLens.Tests.Core.Schedules;

public sealed class ScheduleClockTests
{
    private static readonly DateTimeOffset Noon = new(2026, 12, 5, 12, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData("0 * * * *")]
    [InlineData("*/5 2-4 * * 1-5")]
    public void A_five_field_cron_parses(string cron)
    {
        Assert.NotNull(ScheduleClock.TryParse(cron, out var problem));
        Assert.Null(problem);
    }

    [Theory]
    [InlineData("61 * * * *")]
    [InlineData("every hour")]
    [InlineData("0 0 * * * *")]
    [InlineData("")]
    public void A_bad_cron_says_why(string cron)
    {
        Assert.Null(ScheduleClock.TryParse(cron, out var problem));
        Assert.Contains("cron", problem, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Nothing_is_due_before_the_next_occurrence()
    {
        var hourly = ScheduleClock.TryParse("0 * * * *", out _)!;

        Assert.Null(ScheduleClock.Due(hourly, Noon, Noon.AddMinutes(59), TimeZoneInfo.Utc));
        Assert.Equal(Noon.AddHours(1), ScheduleClock.Due(hourly, Noon, Noon.AddHours(1), TimeZoneInfo.Utc));
    }

    [Fact]
    public void Occurrences_missed_while_the_app_was_down_give_one_catch_up_the_latest()
    {
        var hourly = ScheduleClock.TryParse("0 * * * *", out _)!;

        Assert.Equal(Noon.AddHours(30), ScheduleClock.Due(hourly, Noon, Noon.AddHours(30).AddMinutes(20), TimeZoneInfo.Utc));
    }

    [Fact]
    public void The_next_run_is_read_in_the_schedule_s_time_zone()
    {
        var daily = ScheduleClock.TryParse("0 3 * * *", out _)!;
        var berlin = ScheduleClock.FindZone("Europe/Berlin")!;

        Assert.Equal(new DateTimeOffset(2026, 12, 6, 2, 0, 0, TimeSpan.Zero), ScheduleClock.NextAfter(daily, Noon, berlin));
    }
}
