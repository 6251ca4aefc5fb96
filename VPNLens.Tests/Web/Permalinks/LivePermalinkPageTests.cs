using System.Net;
using System.Net.ServerSentEvents;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc.Testing;
using VPNLens.Core.Runs;
using VPNLens.Tests.Infrastructure;

namespace VPNLens.Tests.Web.Permalinks;

/// <summary>
/// A live run's permalink, for signed-out visitors: one static page shared by all of them from the output cache, evicted
/// on each of the run's events, and an event stream (<c>/r/{token}/events</c>) that tells each open page when to fetch it again.
/// </summary>
[Collection(AppCollection.Name)]
public sealed class LivePermalinkPageTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private readonly VpnLensApp app = new(configureServices: VpnLensApp.WithoutDispatch);
    private HttpClient client = null!;
    private Run running = null!;
    private Run queuedFirst = null!;
    private Run queuedSecond = null!;

    public async ValueTask InitializeAsync()
    {
        client = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });
        var busy = Seed.Node("node 1");
        var idle = Seed.Node("node 2");
        running = Seed.Run(busy.Id, RunState.Running);
        queuedFirst = Seed.Run(busy.Id, RunState.Queued);
        queuedFirst.QueuedAt -= TimeSpan.FromMinutes(1);
        queuedSecond = Seed.Run(busy.Id, RunState.Queued);
        await app.WithDbAsync(async db =>
        {
            db.AddRange(busy, idle, running, queuedFirst, queuedSecond);
            await db.SaveChangesAsync();
        });
    }

    public async ValueTask DisposeAsync()
    {
        client.Dispose();
        await app.DisposeAsync();
    }

    [Fact]
    public async Task A_signed_out_visitor_gets_a_static_page_without_visitor_state_and_the_next_one_gets_it_from_the_cache()
    {
        var first = await GetAsync(running.PublicToken);
        var second = await GetAsync(running.PublicToken);

        Assert.DoesNotContain("<!--Blazor:{", first.Html, StringComparison.Ordinal);
        Assert.DoesNotContain("Component-State:", first.Html, StringComparison.Ordinal);
        Assert.False(first.SetsCookie || second.SetsCookie, "a shared page must not hand every visitor the same cookie");
        Assert.Contains("data-testid=\"live-status\"", first.Html, StringComparison.Ordinal);
        Assert.Contains($"data-live-events=\"/r/{running.PublicToken}/events\"", first.Html, StringComparison.Ordinal);
        Assert.Contains("js/live-run", first.Html, StringComparison.Ordinal);
        Assert.Contains("data-live-run", first.Html, StringComparison.Ordinal);
        Assert.Null(first.Age);
        Assert.NotNull(second.Age);
        Assert.Equal(first.Html, second.Html);
    }

    [Fact]
    public async Task A_signed_in_visitor_still_gets_the_interactive_page()
    {
        using var signedIn = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
        await SignIn.SignInAsync(signedIn, SignIn.AdminEmail, SignIn.AdminPassword);

        using var response = await signedIn.GetAsync(new Uri($"/r/{running.PublicToken}", UriKind.Relative), TestContext.Current.CancellationToken);
        var html = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);

        Assert.Contains("<!--Blazor:{", html, StringComparison.Ordinal);
        Assert.DoesNotContain("js/live-run", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_event_stream_says_the_version_now_then_pushes_a_phase_after_the_cached_page_was_evicted()
    {
        var before = await GetAsync(running.PublicToken);
        Assert.Contains("data-live-version=\"running.0.0\"", before.Html, StringComparison.Ordinal);
        await using var stream = await FollowAsync(running.PublicToken);
        Assert.Equal("running.0.0", (await stream.NextAsync()).Version);

        await PostPhaseAsync(running, SignedCallbacks.Phase("wireguard", "tcp_upload"));
        var change = await stream.NextAsync();

        Assert.Equal(new Change("running.1.0", "Running", false), change);
        var after = await GetAsync(running.PublicToken);
        Assert.Null(after.Age);
        Assert.Contains("data-live-version=\"running.1.0\"", after.Html, StringComparison.Ordinal);
        Assert.Contains("1 of", after.Html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_event_stream_ends_when_the_run_ends_and_the_page_is_then_the_finished_one()
    {
        await GetAsync(running.PublicToken);
        await using var stream = await FollowAsync(running.PublicToken);
        await stream.NextAsync();

        using var posted = await client.SendAsync(SignedCallbacks.Request(running.Id, "results", running.CallbackSecret, SignedCallbacks.Results()), TestContext.Current.CancellationToken);
        Assert.True(posted.IsSuccessStatusCode, $"results callback: {posted.StatusCode}");
        var last = await stream.NextAsync();

        Assert.True(last.Terminal, $"the last event says {last.State}");
        Assert.False(await stream.HasMoreAsync(), "the stream goes on after the run ended");
        var page = await GetAsync(running.PublicToken);
        Assert.Contains("data-testid=\"headline\"", page.Html, StringComparison.Ordinal);
        Assert.DoesNotContain("js/live-run", page.Html, StringComparison.Ordinal);
        Assert.DoesNotContain("data-live-run", page.Html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_queued_runs_page_and_its_readers_learn_that_the_run_ahead_left_the_queue()
    {
        var before = await GetAsync(queuedSecond.PublicToken);
        Assert.Contains("(position 2)", before.Html, StringComparison.Ordinal);
        await using var stream = await FollowAsync(queuedSecond.PublicToken);
        Assert.Equal("queued.0.2", (await stream.NextAsync()).Version);

        using var api = app.CreateApiClient();
        using var cancelled = await api.PostAsync(new Uri($"/api/runs/{queuedFirst.Id}/cancel", UriKind.Relative), null, TestContext.Current.CancellationToken);
        Assert.True(cancelled.IsSuccessStatusCode, $"cancel: {cancelled.StatusCode}");

        Assert.Equal("queued.0.1", (await stream.NextAsync()).Version);
        var after = await GetAsync(queuedSecond.PublicToken);
        Assert.Contains("(position 1)", after.Html, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("no-such-token")]
    [InlineData("..%2f..%2fetc%2fpasswd")]
    [InlineData("a.b")]
    public async Task The_event_stream_of_an_unknown_or_malformed_token_is_not_found(string token)
    {
        using var response = await client.GetAsync(new Uri($"/r/{token}/events", UriKind.Relative), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    private async Task PostPhaseAsync(Run run, string body)
    {
        using var response = await client.SendAsync(SignedCallbacks.Request(run.Id, "phases", run.CallbackSecret, body), TestContext.Current.CancellationToken);
        Assert.True(response.IsSuccessStatusCode, $"phase callback: {response.StatusCode}");
    }

    private async Task<Page> GetAsync(string token)
    {
        using var response = await client.GetAsync(new Uri($"/r/{token}", UriKind.Relative), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return new Page(
            await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken),
            response.Headers.Age,
            response.Headers.Contains("Set-Cookie"));
    }

    private async Task<EventStream> FollowAsync(string token)
    {
        var response = await client.GetAsync(new Uri($"/r/{token}/events", UriKind.Relative), HttpCompletionOption.ResponseHeadersRead, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        var body = await response.Content.ReadAsStreamAsync(TestContext.Current.CancellationToken);
        return new EventStream(response, SseParser.Create(body).EnumerateAsync(TestContext.Current.CancellationToken).GetAsyncEnumerator(TestContext.Current.CancellationToken));
    }

    private sealed record Page(string Html, TimeSpan? Age, bool SetsCookie);

    private sealed record Change(string Version, string State, bool Terminal);

    private sealed class EventStream(HttpResponseMessage response, IAsyncEnumerator<SseItem<string>> events) : IAsyncDisposable
    {
        public async Task<Change> NextAsync()
        {
            Assert.True(await HasMoreAsync(), "the event stream ended");
            Assert.Equal("changed", events.Current.EventType);
            return JsonSerializer.Deserialize<Change>(events.Current.Data, JsonSerializerOptions.Web)!;
        }

        /// <summary>Whether another event comes, waiting for it at most <see cref="Patience"/>.</summary>
        public async Task<bool> HasMoreAsync() => await events.MoveNextAsync().AsTask().WaitAsync(Patience, TestContext.Current.CancellationToken);

        public async ValueTask DisposeAsync()
        {
            await events.DisposeAsync();
            response.Dispose();
        }
    }
}
