namespace VPNLens.Web.Runs;

/// <summary>
/// A hosted service that handles every run event while the app runs: subscribed at start, unsubscribed at stop.
/// <see cref="RunEvents"/> gives it its own queue, so its events arrive in order and never hold up the publisher.
/// </summary>
public abstract class RunEventSubscriber(RunEvents events) : IHostedService, IDisposable
{
    private IDisposable? subscription;

    public virtual Task StartAsync(CancellationToken cancellationToken)
    {
        subscription = events.Subscribe(HandleAsync);
        return Task.CompletedTask;
    }

    public virtual Task StopAsync(CancellationToken cancellationToken)
    {
        Dispose();
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    protected abstract Task HandleAsync(RunEvent runEvent);

    protected virtual void Dispose(bool disposing)
    {
        if (disposing)
        {
            subscription?.Dispose();
            subscription = null;
        }
    }
}
