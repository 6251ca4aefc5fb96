namespace VPNLens.Web.Components.Layout;

/// <summary>
/// Shows a live page's updates at most once per window: the first change after a quiet spell at once, every change that
/// follows within the window together at its end. The show reads whatever is newest, so the latest state wins and none is lost:
/// each <see cref="Signal"/> is followed by a show that starts after it.
/// </summary>
/// <remarks>
/// Pages that follow the same events all show the first of a burst at the same instant, and without
/// <paramref name="offset"/> every later show of theirs would fall on the same instants too, each a burst of renders that a
/// callback arriving then waits behind. The first show held back after an at-once show waits <paramref name="offset"/>
/// longer, so pages given different offsets (<see cref="ShowOffsets"/>) take turns within the window; the ones after it
/// keep the window's pace from there.
/// </remarks>
public sealed class UpdateThrottle(TimeProvider time, TimeSpan window, Action show, TimeSpan offset = default) : IDisposable
{
    private readonly Lock gate = new();
    private ITimer? timer;
    private long? shownAt;
    private bool shownAtOnce;
    private bool scheduled;
    private bool disposed;

    /// <summary>Something changed: shows it now when nothing was shown within the window, else once the window is over.</summary>
    public void Signal()
    {
        lock (gate)
        {
            if (disposed || scheduled)
            {
                return;
            }

            var since = shownAt is { } at ? time.GetElapsedTime(at) : TimeSpan.MaxValue;
            if (since < window)
            {
                scheduled = true;
                timer ??= time.CreateTimer(_ => ShowScheduled(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
                timer.Change(window - since + (shownAtOnce ? offset : TimeSpan.Zero), Timeout.InfiniteTimeSpan);
                return;
            }

            shownAt = time.GetTimestamp();
            shownAtOnce = true;
        }

        show();
    }

    public void Dispose()
    {
        lock (gate)
        {
            disposed = true;
            timer?.Dispose();
        }
    }

    private void ShowScheduled()
    {
        lock (gate)
        {
            if (disposed)
            {
                return;
            }

            scheduled = false;
            shownAt = time.GetTimestamp();
            shownAtOnce = false;
        }

        show();
    }
}
