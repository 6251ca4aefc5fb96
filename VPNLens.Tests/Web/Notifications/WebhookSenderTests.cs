using System.Collections.Concurrent;
using System.Net;
using System.Text;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using VPNLens.Core.Webhooks;
using VPNLens.Tests.Infrastructure;
using VPNLens.Web.Notifications;

namespace VPNLens.Tests.Web.Notifications;

public sealed class WebhookSenderTests : IDisposable
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(20);
    private readonly WebhookReceiver receiver = new();
    private readonly TimerWatchingTimeProvider time = new(new DateTimeOffset(2026, 12, 5, 12, 0, 0, TimeSpan.Zero));
    private readonly ConcurrentQueue<WebhookAttempt> log = new();
    private readonly WebhookEndpoint endpoint;

    public WebhookSenderTests() =>
        endpoint = new WebhookEndpoint { Name = "receiver", Url = receiver.Url, Secret = WebhookSecret.Generate() };

    public void Dispose() => receiver.Dispose();

    [Fact]
    public async Task A_message_is_posted_signed_with_the_endpoint_secret_and_the_existing_verifier_accepts_it()
    {
        Assert.True(await SendAsync(Sender(), "{\"type\":\"test\"}"));

        var request = Assert.Single(receiver.Requests);
        Assert.Equal("/hook", request.Path);
        Assert.StartsWith("application/json", request.ContentType, StringComparison.Ordinal);
        Assert.Equal("msg_1", request.Id);
        Assert.Equal(time.GetUtcNow().ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture), request.Timestamp);
        Assert.Equal("{\"type\":\"test\"}", Encoding.UTF8.GetString(request.Body));
        Assert.Equal(WebhookVerification.Valid, request.Verify(endpoint.Secret, time.GetUtcNow()));
        Assert.Equal(WebhookVerification.SignatureMismatch, request.Verify(WebhookSecret.Generate(), time.GetUtcNow()));
    }

    [Fact]
    public async Task A_503_is_retried_with_the_same_webhook_id_until_it_succeeds_and_each_attempt_is_logged()
    {
        receiver.Then(HttpStatusCode.ServiceUnavailable).Then(HttpStatusCode.ServiceUnavailable);

        Assert.True(await SendAsync(Sender(), "{}"));

        Assert.Equal(["msg_1", "msg_1", "msg_1"], receiver.Requests.Select(r => r.Id));
        Assert.All(receiver.Requests, r => Assert.Equal(WebhookVerification.Valid, r.Verify(endpoint.Secret, time.GetUtcNow())));
        Assert.Equal([(1, 503), (2, 503), (3, 200)], log.Select(a => (a.Attempt, a.StatusCode ?? 0)));
    }

    [Fact]
    public async Task A_400_is_not_retried()
    {
        receiver.Otherwise = HttpStatusCode.BadRequest;

        Assert.False(await SendAsync(Sender(), "{}"));

        Assert.Single(receiver.Requests);
        Assert.Equal(400, Assert.Single(log).StatusCode);
    }

    [Fact]
    public async Task A_receiver_that_keeps_failing_gets_the_configured_attempts_and_no_more()
    {
        receiver.Otherwise = HttpStatusCode.InternalServerError;

        Assert.False(await SendAsync(Sender(maxAttempts: 4), "{}"));

        Assert.Equal(4, receiver.Requests.Count);
        Assert.Equal([1, 2, 3, 4], log.Select(a => a.Attempt));
    }

    [Fact]
    public async Task A_refused_connection_is_retried_and_logged_with_its_error()
    {
        var closed = new WebhookEndpoint { Name = "closed", Url = $"http://127.0.0.1:{Sshd.FreePort()}/hook", Secret = endpoint.Secret };

        var delivered = await Sender(maxAttempts: 3).SendAsync(closed, "msg_1", "test", "{}"u8.ToArray(), Record, TestContext.Current.CancellationToken);

        Assert.False(delivered);
        Assert.Equal(3, log.Count);
        Assert.All(log, a => Assert.Null(a.StatusCode));
        Assert.All(log, a => Assert.False(string.IsNullOrEmpty(a.Error)));
    }

    [Fact]
    public async Task A_429_waits_what_Retry_After_asks_on_the_injected_clock()
    {
        receiver.Then(HttpStatusCode.TooManyRequests, retryAfter: "120");
        var sending = SendAsync(Sender(baseDelay: TimeSpan.FromSeconds(1)), "{}");

        await time.WaitForTimerAsync(TimeSpan.FromSeconds(120), Limit);
        Assert.Single(receiver.Requests);
        time.Advance(TimeSpan.FromSeconds(120));

        Assert.True(await sending.WaitAsync(Limit, TestContext.Current.CancellationToken));
        Assert.Equal(2, receiver.Requests.Count);
    }

    private WebhookSender Sender(int maxAttempts = 5, TimeSpan? baseDelay = null) => new(
        new SingleClientFactory(),
        time,
        Options.Create(new WebhookOptions { MaxAttempts = maxAttempts, BaseDelay = baseDelay ?? TimeSpan.Zero, AttemptTimeout = TimeSpan.FromSeconds(10) }));

    private Task<bool> SendAsync(WebhookSender sender, string body) =>
        sender.SendAsync(endpoint, "msg_1", "test", Encoding.UTF8.GetBytes(body), Record, TestContext.Current.CancellationToken);

    private Task Record(WebhookAttempt attempt)
    {
        log.Enqueue(attempt);
        return Task.CompletedTask;
    }

    private sealed class SingleClientFactory : IHttpClientFactory
    {
        public HttpClient CreateClient(string name) => new() { Timeout = Timeout.InfiniteTimeSpan };
    }
}

/// <summary>A fake clock that also says which timers were started, so a test can advance it once a wait has begun.</summary>
public sealed class TimerWatchingTimeProvider(DateTimeOffset start) : FakeTimeProvider(start)
{
    private readonly ConcurrentQueue<TimeSpan> dueTimes = new();

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        dueTimes.Enqueue(dueTime);
        return base.CreateTimer(callback, state, dueTime, period);
    }

    public async Task WaitForTimerAsync(TimeSpan dueTime, TimeSpan limit)
    {
        using var deadline = new CancellationTokenSource(limit);
        while (!dueTimes.Contains(dueTime))
        {
            await Task.Delay(10, deadline.Token);
        }
    }
}
