namespace VPNLens.Core.Results;

/// <summary>
/// One UTC day of one node × protocol × metric series, as the history answers it day by day: the runs that ended that
/// day (<see cref="Failed"/> of them without the figure's protocol succeeding), the median and band of the figure, and
/// <see cref="PointsHash"/>, a digest of that day's figures in order, which names the day's content for the series'
/// change points without reading it.
/// </summary>
public sealed class DailyFigure
{
    public Guid NodeId { get; set; }

    public required string Protocol { get; set; }

    public required string Metric { get; set; }

    public DateOnly Day { get; set; }

    public int Runs { get; set; }

    public int Failed { get; set; }

    public double? Median { get; set; }

    public double? Min { get; set; }

    public double? Max { get; set; }

    public long PointsHash { get; set; }
}
