namespace VPNLens.Web.Components.Layout;

/// <summary>
/// Hands each live page that opens an offset within its <see cref="UpdateThrottle"/> window, spread over the window
/// however many pages there are: the page's share of the golden-ratio sequence (0, 0.618, 0.236, 0.854, ...), which leaves
/// no part of the window with much more than its share of pages. The first page opened gets 0.
/// </summary>
public sealed class ShowOffsets
{
    private static readonly double GoldenRatioFraction = (Math.Sqrt(5) - 1) / 2;
    private long handedOut = -1;

    /// <summary>The next page's offset, at least zero and less than <paramref name="window"/>.</summary>
    public TimeSpan Next(TimeSpan window)
    {
        var n = Interlocked.Increment(ref handedOut);
        var share = n * GoldenRatioFraction % 1;
        return TimeSpan.FromTicks((long)(share * window.Ticks));
    }
}
