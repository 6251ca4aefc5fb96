using System.Collections.Concurrent;
using System.Threading.Channels;
using VPNLens.Core.Phases;
using VPNLens.Core.Runs;

namespace VPNLens.Web.Runs;

public abstract record RunEvent(Guid RunId)
{
    /// <summary>Published again here after another instance published it (PostgreSQL relay): already acted on there.</summary>
    public bool FromAnotherInstance { get; init; }
}

public sealed record PhaseRecorded(Guid RunId, PhaseEvent Phase) : RunEvent(RunId);

public sealed record RunStateChanged(Guid RunId, RunState State, string? Reason) : RunEvent(RunId);

/// <summary>The run's notification email was sent, failed or cannot be sent; see Run.EmailStatus.</summary>
public sealed record RunEmailChanged(Guid RunId, EmailStatus Status) : RunEvent(RunId);

/// <summary>
/// In-process publication of what happens to runs, as it happens. The database stays the truth;
/// subscribers (live pages, the SignalR hub, the queue) use events only to know when to look again.
/// Publishing only queues: each subscriber has its own queue, handled in order by a loop of its own, so a
/// slow or broken subscriber (a dashboard reloading, a closed tab) never holds up the node's callback or the others.
/// </summary>
public sealed class RunEvents(ILogger<RunEvents> logger) : IDisposable
{
    private readonly ConcurrentDictionary<Subscription, byte> subscriptions = new();
    private readonly ILogger<RunEvents> logger = logger;

    /// <summary>
    /// Hands every later event to <paramref name="handler"/>, one at a time and in the order published.
    /// Once the returned subscription is disposed no further event is handed over (one being handled finishes).
    /// </summary>
    public IDisposable Subscribe(Func<RunEvent, Task> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        var subscription = new Subscription(this, handler);
        subscriptions[subscription] = 0;
        subscription.Start();
        return subscription;
    }

    /// <summary>Queues the event for every subscriber and returns without waiting for any of them.</summary>
    public Task PublishAsync(RunEvent runEvent)
    {
        ArgumentNullException.ThrowIfNull(runEvent);
        foreach (var subscription in subscriptions.Keys)
        {
            subscription.Enqueue(runEvent);
        }

        return Task.CompletedTask;
    }

    /// <summary>Stops every subscriber's loop (the app is shutting down).</summary>
    public void Dispose()
    {
        foreach (var subscription in subscriptions.Keys)
        {
            subscription.Dispose();
        }
    }

    private sealed class Subscription(RunEvents owner, Func<RunEvent, Task> handler) : IDisposable
    {
        private readonly Channel<RunEvent> queue = Channel.CreateUnbounded<RunEvent>(new UnboundedChannelOptions { SingleReader = true });
        private volatile bool stopped;

        public void Start() => _ = Task.Run(DeliverAsync);

        public void Enqueue(RunEvent runEvent) => queue.Writer.TryWrite(runEvent);

        public void Dispose()
        {
            stopped = true;
            owner.subscriptions.TryRemove(this, out _);
            queue.Writer.TryComplete();
        }

        private async Task DeliverAsync()
        {
            while (await queue.Reader.WaitToReadAsync())
            {
                while (queue.Reader.TryRead(out var runEvent))
                {
                    if (stopped)
                    {
                        return;
                    }

                    try
                    {
                        await handler(runEvent);
                    }
#pragma warning disable CA1031 // one broken subscriber (a closed browser tab) must not stop its later events or the others
                    catch (Exception ex)
#pragma warning restore CA1031
                    {
                        owner.logger.LogWarning(ex, "A run event subscriber failed for run {RunId}", runEvent.RunId);
                    }
                }
            }
        }
    }
}
