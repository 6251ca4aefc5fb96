using Microsoft.Extensions.Time.Testing;
using VPNLens.Web.Components.Layout;

namespace VPNLens.Tests.Web.Components.Layout;

public sealed class UpdateThrottleTests : IDisposable
{
    private static readonly TimeSpan Window = TimeSpan.FromMilliseconds(250);
    private readonly FakeTimeProvider time = new(new DateTimeOffset(2026, 12, 6, 12, 0, 0, TimeSpan.Zero));
    private readonly UpdateThrottle throttle;
    private readonly List<DateTimeOffset> shownAt = [];

    public UpdateThrottleTests() => throttle = new UpdateThrottle(time, Window, () => shownAt.Add(time.GetUtcNow()));

    private int Shows => shownAt.Count;

    public void Dispose() => throttle.Dispose();

    // The fake clock fires a timer with the time already at the end of an advance: small steps stamp each show when it was due.
    private void Pass(TimeSpan span)
    {
        for (var passed = TimeSpan.Zero; passed < span; passed += TimeSpan.FromMilliseconds(10))
        {
            time.Advance(TimeSpan.FromMilliseconds(10));
        }
    }

    [Fact]
    public void The_first_change_after_a_quiet_spell_is_shown_at_once()
    {
        throttle.Signal();
        Assert.Equal(1, Shows);

        time.Advance(Window);
        throttle.Signal();
        Assert.Equal(2, Shows);
    }

    [Fact]
    public void Changes_within_the_window_are_shown_once_together_at_its_end()
    {
        throttle.Signal();
        for (var i = 0; i < 4; i++)
        {
            time.Advance(TimeSpan.FromMilliseconds(50));
            throttle.Signal();
        }

        Assert.Equal(1, Shows);
        time.Advance(TimeSpan.FromMilliseconds(49));
        Assert.Equal(1, Shows);
        time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(2, Shows);
        time.Advance(Window * 4);
        Assert.Equal(2, Shows);
    }

    [Fact]
    public void A_steady_stream_is_shown_once_per_window_and_its_last_change_is_shown()
    {
        // 20 changes a second for two seconds
        var start = time.GetUtcNow();
        DateTimeOffset last = default;
        for (var i = 0; i < 40; i++)
        {
            last = time.GetUtcNow();
            throttle.Signal();
            time.Advance(TimeSpan.FromMilliseconds(50));
        }

        time.Advance(Window * 4);
        Assert.Equal([.. Enumerable.Range(0, 9).Select(i => start + (Window * i))], shownAt);
        Assert.True(shownAt[^1] >= last);
    }

    [Fact]
    public void An_offset_moves_the_first_show_held_back_after_an_at_once_show_and_the_window_keeps_its_pace_from_there()
    {
        var offset = TimeSpan.FromMilliseconds(100);
        var shown = new List<DateTimeOffset>();
        using var late = new UpdateThrottle(time, Window, () => shown.Add(time.GetUtcNow()), offset);

        // 20 changes a second for two seconds, then the same again after a quiet spell
        var start = time.GetUtcNow();
        for (var i = 0; i < 40; i++)
        {
            late.Signal();
            time.Advance(TimeSpan.FromMilliseconds(50));
        }

        Pass(Window * 4);
        var again = time.GetUtcNow();
        late.Signal();
        time.Advance(TimeSpan.FromMilliseconds(50));
        late.Signal();
        Pass(Window * 4);

        DateTimeOffset[] paced = [.. Enumerable.Range(0, 8).Select(i => start + Window + offset + (Window * i))];
        Assert.Equal([start, .. paced, again, again + Window + offset], shown);
    }

    [Fact]
    public void Nothing_is_shown_once_disposed()
    {
        throttle.Signal();
        throttle.Signal();
        throttle.Dispose();

        time.Advance(Window);
        throttle.Signal();
        Assert.Equal(1, Shows);
    }
}
