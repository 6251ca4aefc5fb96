using System.Collections.Concurrent;
using Microsoft.Extensions.Logging.Abstractions;
using VPNLens.Core.Runs;
using VPNLens.Web.Runs;

namespace VPNLens.Tests.Web.Runs;

/// <summary>Publishing queues for each subscriber: nobody waits on a subscriber, each one sees every event in order.</summary>
public sealed class RunEventsTests : IDisposable
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(10);
    private readonly RunEvents events = new(NullLogger<RunEvents>.Instance);

    public void Dispose() => events.Dispose();

    [Fact]
    public async Task A_blocked_subscriber_holds_up_neither_the_publisher_nor_the_other_subscribers()
    {
        var blocked = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var stuck = events.Subscribe(_ => blocked.Task);
        var other = new Recorder(events);

        var publishing = new List<Task>();
        for (var i = 0; i < 3; i++)
        {
            publishing.Add(events.PublishAsync(Numbered(i)));
        }

        try
        {
            Assert.All(publishing, p => Assert.True(p.IsCompleted, "PublishAsync waited for a subscriber"));
            await other.UntilAsync(3);
            Assert.Equal([0, 1, 2], other.Numbers);
        }
        finally
        {
            blocked.SetResult();
        }
    }

    [Fact]
    public async Task Each_subscriber_sees_the_events_in_the_order_they_were_published()
    {
        var slow = new Recorder(events, async () => await Task.Yield());
        var fast = new Recorder(events);

        for (var i = 0; i < 500; i++)
        {
            await events.PublishAsync(Numbered(i));
        }

        await slow.UntilAsync(500);
        await fast.UntilAsync(500);
        Assert.Equal(Enumerable.Range(0, 500), slow.Numbers);
        Assert.Equal(Enumerable.Range(0, 500), fast.Numbers);
    }

    [Fact]
    public async Task A_subscriber_that_throws_still_gets_the_later_events()
    {
        var calls = 0;
        var seen = new ConcurrentQueue<int>();
        using var subscription = events.Subscribe(e =>
        {
            var n = Number(e);
            seen.Enqueue(n);
            return Interlocked.Increment(ref calls) switch
            {
                1 => throw new InvalidOperationException("thrown before a task"),
                2 => Task.FromException(new InvalidOperationException("a faulted task")),
                _ => Task.CompletedTask,
            };
        });

        for (var i = 0; i < 4; i++)
        {
            await events.PublishAsync(Numbered(i));
        }

        await UntilAsync(() => seen.Count == 4, "4 events handled");
        Assert.Equal([0, 1, 2, 3], seen);
    }

    [Fact]
    public async Task A_disposed_subscription_gets_nothing_more_even_what_was_already_queued()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var handling = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var seen = new ConcurrentQueue<int>();
        var subscription = events.Subscribe(async e =>
        {
            seen.Enqueue(Number(e));
            handling.TrySetResult();
            await gate.Task;
        });
        var witness = new Recorder(events);

        // not awaited before the gate opens: a publisher that waited for the handler would never get past it
        Task[] published = [events.PublishAsync(Numbered(0)), events.PublishAsync(Numbered(1))];
        await handling.Task.WaitAsync(Limit, TestContext.Current.CancellationToken);
        subscription.Dispose();
        gate.SetResult();
        await Task.WhenAll(published);
        await events.PublishAsync(Numbered(2));

        await witness.UntilAsync(3);
        Assert.Equal([0], seen);
    }

    [Fact]
    public async Task Disposing_the_events_stops_every_subscriber()
    {
        var recorder = new Recorder(events);
        await events.PublishAsync(Numbered(0));
        await recorder.UntilAsync(1);

        events.Dispose();
        await events.PublishAsync(Numbered(1));

        Assert.Equal([0], recorder.Numbers);
    }

    private static RunStateChanged Numbered(int n) => new(Guid.NewGuid(), RunState.Running, n.ToString(System.Globalization.CultureInfo.InvariantCulture));

    private static int Number(RunEvent e) => int.Parse(((RunStateChanged)e).Reason!, System.Globalization.CultureInfo.InvariantCulture);

    private static async Task UntilAsync(Func<bool> condition, string what)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        limit.CancelAfter(Limit);
        while (!condition())
        {
            Assert.False(limit.IsCancellationRequested, $"Never got to {what} within {Limit.TotalSeconds} s.");
            await Task.Delay(10, CancellationToken.None);
        }
    }

    /// <summary>A subscriber that notes each event's number, after an optional await of its own.</summary>
    private sealed class Recorder
    {
        private readonly ConcurrentQueue<int> numbers = new();

        public Recorder(RunEvents events, Func<Task>? before = null) => events.Subscribe(async e =>
        {
            if (before is not null)
            {
                await before();
            }

            numbers.Enqueue(Number(e));
        });

        public IReadOnlyList<int> Numbers => [.. numbers];

        public Task UntilAsync(int count) => RunEventsTests.UntilAsync(() => numbers.Count >= count, $"{count} events");
    }
}
