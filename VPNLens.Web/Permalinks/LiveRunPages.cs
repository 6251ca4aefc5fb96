using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Microsoft.AspNetCore.OutputCaching;
using VPNLens.Web.Runs;

namespace VPNLens.Web.Permalinks;

/// <summary>
/// Keeps live runs' shared permalink pages fresh and tells their open readers. On each phase or state event it first evicts
/// the run's cached pages (and every queued run's, whose place moved), then pushes the run's new version to each reader
/// that follows it (<see cref="FollowAsync"/>): a reader that fetches the page after the push gets the new one.
/// One subscriber for every reader; each reader keeps only the latest version it has not read yet.
/// </summary>
public sealed class LiveRunPages(RunEvents events, IOutputCacheStore cache, RunSnapshots snapshots, ILogger<LiveRunPages> logger) : RunEventSubscriber(events)
{
    private readonly Dictionary<Guid, Dictionary<Guid, ChannelWriter<LiveRunChange>>> followed = [];
    private readonly Lock gate = new();

    /// <summary>The run's version now, then each new one, until the run ends or the reader leaves.</summary>
    public async IAsyncEnumerable<LiveRunChange> FollowAsync(Guid runId, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var inbox = Channel.CreateBounded<LiveRunChange>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });
        using var reader = Follow(runId, inbox.Writer);

        // Read after following: an event in between is pushed as well, never lost.
        if (await snapshots.LiveChangeAsync(runId, cancellationToken) is not { } now)
        {
            yield break;
        }

        var last = now;
        yield return now;
        while (!last.Terminal && await WaitAsync(inbox.Reader, cancellationToken))
        {
            while (inbox.Reader.TryRead(out var change))
            {
                if (change.Version != last.Version)
                {
                    last = change;
                    yield return change;
                }
            }
        }
    }

    private static async Task<bool> WaitAsync(ChannelReader<LiveRunChange> inbox, CancellationToken cancellationToken)
    {
        try
        {
            return await inbox.WaitToReadAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private Subscription Follow(Guid runId, ChannelWriter<LiveRunChange> inbox)
    {
        var id = Guid.NewGuid();
        lock (gate)
        {
            if (!followed.TryGetValue(runId, out var inboxes))
            {
                followed[runId] = inboxes = [];
            }

            inboxes[id] = inbox;
        }

        return new Subscription(() =>
        {
            lock (gate)
            {
                if (followed.TryGetValue(runId, out var inboxes) && inboxes.Remove(id) && inboxes.Count == 0)
                {
                    followed.Remove(runId);
                }
            }
        });
    }

    private ChannelWriter<LiveRunChange>[] InboxesOf(Guid runId)
    {
        lock (gate)
        {
            return followed.TryGetValue(runId, out var inboxes) ? [.. inboxes.Values] : [];
        }
    }

    protected override async Task HandleAsync(RunEvent runEvent)
    {
        if (runEvent is not (PhaseRecorded or RunStateChanged))
        {
            return;
        }

        await cache.EvictByTagAsync(SharedRunPages.TagFor(runEvent.RunId), CancellationToken.None);
        if (runEvent is RunStateChanged)
        {
            await cache.EvictByTagAsync(SharedRunPages.QueuedTag, CancellationToken.None);
        }

        // A run starting or ending moves every queued run's place: those with readers are looked at again.
        Guid[] runs;
        lock (gate)
        {
            runs = runEvent is RunStateChanged ? [.. followed.Keys] : [runEvent.RunId];
        }

        foreach (var runId in runs)
        {
            var inboxes = InboxesOf(runId);
            if (inboxes.Length > 0 && await snapshots.LiveChangeAsync(runId, CancellationToken.None) is { } change)
            {
                foreach (var inbox in inboxes)
                {
                    inbox.TryWrite(change);
                }

                logger.LogDebug("Pushed version {Version} of run {RunId} to {Readers} readers", change.Version, runId, inboxes.Length);
            }
        }
    }

    private sealed class Subscription(Action dispose) : IDisposable
    {
        public void Dispose() => dispose();
    }
}
