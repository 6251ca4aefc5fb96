namespace VPNLens.Core.Statistics;

/// <summary>One run's figure in a series: its time, whether the run failed, its value (null when it has none).</summary>
public readonly record struct RunFigure(DateTimeOffset At, bool Failed, double? Value);

/// <summary>
/// One UTC day of a series: how many runs ended that day, how many failed, and the median, lowest and highest of the
/// figures it has (null when the day has none).
/// </summary>
public sealed record DailyBand(DateOnly Day, int Runs, int Failed, double? Median, double? Min, double? Max);

/// <summary>A series too long to chart run by run, as one point per UTC day with its spread.</summary>
public static class DailyBands
{
    /// <summary>The days that have runs, oldest first; <paramref name="figures"/> may come in any order.</summary>
    public static List<DailyBand> Of(IEnumerable<RunFigure> figures)
    {
        ArgumentNullException.ThrowIfNull(figures);
        return [.. figures
            .GroupBy(f => DateOnly.FromDateTime(f.At.UtcDateTime))
            .OrderBy(day => day.Key)
            .Select(Band)];
    }

    private static DailyBand Band(IGrouping<DateOnly, RunFigure> day)
    {
        var values = day.Where(f => f.Value is not null).Select(f => f.Value!.Value).ToList();
        return new DailyBand(
            day.Key,
            day.Count(),
            day.Count(f => f.Failed),
            Descriptive.Median(values),
            values.Count == 0 ? null : values.Min(),
            values.Count == 0 ? null : values.Max());
    }
}
