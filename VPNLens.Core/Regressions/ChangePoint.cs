namespace VPNLens.Core.Regressions;

/// <summary>Count, mean and sample standard deviation of the values on one side of a change point.</summary>
public sealed record Segment(int Count, double Mean, double StandardDeviation);

/// <summary>
/// A significant shift in a series: the values from <see cref="Index"/> on differ from those before it.
/// <see cref="ShiftLow"/> and <see cref="ShiftHigh"/> bound the shift of the mean (after minus before) at 95 % (Welch's t interval).
/// </summary>
public sealed record ChangePoint(int Index, double PValue, Segment Before, Segment After, double ShiftLow, double ShiftHigh)
{
    public double Shift => After.Mean - Before.Mean;

    /// <summary>The shift as a fraction of the level before it; 0 when that level is 0.</summary>
    public double RelativeShift => Before.Mean == 0 ? 0 : Shift / Math.Abs(Before.Mean);
}
