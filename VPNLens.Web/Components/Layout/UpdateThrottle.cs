namespace VPNLens.Web.Components.Layout;

/// <summary>
/// Shows a live page's updates at most once per window: the first change after a quiet spell at once, every change that
/// follows within the window together at its end. The show reads whatever is newest, so the latest state wins and none is lost:
/// each <see cref="Signal"/> is followed by a show that starts after it.
/// </summary>
public sealed class UpdateThrottle(TimeProvider time, TimeSpan window, Action show) : IDisposable
{
    private readonly Lock gate = new();
    private ITimer? timer;
    private long? shownAt;
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
                timer.Change(window - since, Timeout.InfiniteTimeSpan);
                return;
            }

            shownAt = time.GetTimestamp();
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
        }

        show();
    }
}
