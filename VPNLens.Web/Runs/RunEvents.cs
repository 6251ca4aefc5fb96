using System.Collections.Concurrent;
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
/// </summary>
public sealed class RunEvents(ILogger<RunEvents> logger)
{
    private readonly ConcurrentDictionary<Guid, Func<RunEvent, Task>> subscribers = new();

    public IDisposable Subscribe(Func<RunEvent, Task> handler)
    {
        var id = Guid.NewGuid();
        subscribers[id] = handler;
        return new Subscription(() => subscribers.TryRemove(id, out _));
    }

    public async Task PublishAsync(RunEvent runEvent)
    {
        foreach (var handler in subscribers.Values)
        {
            try
            {
                await handler(runEvent);
            }
#pragma warning disable CA1031 // one broken subscriber (a closed browser tab) must not stop the others
            catch (Exception ex)
#pragma warning restore CA1031
            {
                logger.LogWarning(ex, "A run event subscriber failed for run {RunId}", runEvent.RunId);
            }
        }
    }

    private sealed class Subscription(Action dispose) : IDisposable
    {
        public void Dispose() => dispose();
    }
}
