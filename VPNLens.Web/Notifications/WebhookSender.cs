using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Retry;
using Polly.Timeout;
using VPNLens.Core.Webhooks;

namespace VPNLens.Web.Notifications;

/// <summary>
/// POSTs one signed message to one endpoint through a Polly pipeline: a timeout per attempt, and retries with
/// exponential backoff and jitter on network errors, timeouts, 5xx and 429 (waiting what Retry-After asks), never on
/// another 4xx. Every attempt is handed to the caller for the delivery log.
/// </summary>
public sealed class WebhookSender
{
    public const string HttpClientName = "webhooks";

    private readonly IHttpClientFactory clients;
    private readonly TimeProvider time;
    private readonly WebhookOptions options;
    private readonly ResiliencePipeline<HttpResponseMessage> pipeline;

    public WebhookSender(IHttpClientFactory clients, TimeProvider time, IOptions<WebhookOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        this.clients = clients;
        this.time = time;
        this.options = options.Value;
        pipeline = Build(this.options, time);
    }

    /// <summary>Delivers the message; true when the receiver answered 2xx within the attempts allowed.</summary>
    public async Task<bool> SendAsync(
        WebhookEndpoint endpoint, string messageId, string type, byte[] body, Func<WebhookAttempt, Task> record, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentNullException.ThrowIfNull(record);
        var secret = WebhookSecret.Parse(endpoint.Secret);
        var http = clients.CreateClient(HttpClientName);
        var attempt = 0;
        try
        {
            using var response = await pipeline.ExecuteAsync(
                async token =>
                {
                    attempt++;
                    var log = new WebhookAttempt { EndpointId = endpoint.Id, MessageId = messageId, Type = type, Attempt = attempt, At = time.GetUtcNow() };
                    var started = time.GetTimestamp();
                    using var request = Sign(endpoint.Url, secret, messageId, body);
                    try
                    {
                        var answer = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, token);
                        log.StatusCode = (int)answer.StatusCode;
                        log.Duration = time.GetElapsedTime(started);
                        await record(log);
                        return answer;
                    }
                    catch (Exception ex) when (ex is HttpRequestException || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
                    {
                        log.Error = ex is OperationCanceledException ? $"No answer within {options.AttemptTimeout.TotalSeconds:0.#} s." : ex.Message;
                        log.Duration = time.GetElapsedTime(started);
                        await record(log);
                        throw;
                    }
                },
                cancellationToken);
            return response.IsSuccessStatusCode;
        }
        catch (Exception ex) when (ex is HttpRequestException or TimeoutRejectedException)
        {
            return false;
        }
    }

    /// <summary>Whether a receiver's answer is worth another attempt: it was busy or broken, not refusing the message.</summary>
    public static bool IsTransient(HttpStatusCode status) => (int)status >= 500 || status == HttpStatusCode.TooManyRequests;

    private HttpRequestMessage Sign(string url, WebhookSecret secret, string messageId, byte[] body)
    {
        var timestamp = time.GetUtcNow().ToUnixTimeSeconds();
        var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        request.Headers.TryAddWithoutValidation(WebhookSignature.IdHeader, messageId);
        request.Headers.TryAddWithoutValidation(WebhookSignature.TimestampHeader, timestamp.ToString(CultureInfo.InvariantCulture));
        request.Headers.TryAddWithoutValidation(WebhookSignature.SignatureHeader, WebhookSignature.Sign(secret, messageId, timestamp, body));
        request.Headers.UserAgent.Add(new ProductInfoHeaderValue("VPNLens", null));
        return request;
    }

    private static ResiliencePipeline<HttpResponseMessage> Build(WebhookOptions options, TimeProvider time)
    {
        var builder = new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = time };
        if (options.MaxAttempts > 1)
        {
            builder.AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                ShouldHandle = new PredicateBuilder<HttpResponseMessage>()
                    .Handle<HttpRequestException>()
                    .Handle<TimeoutRejectedException>()
                    .HandleResult(response => IsTransient(response.StatusCode)),
                MaxRetryAttempts = options.MaxAttempts - 1,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = options.BaseDelay,
                MaxDelay = options.MaxDelay,
                DelayGenerator = args => ValueTask.FromResult(RetryAfter(args.Outcome.Result, time, options.MaxDelay)),
            });
        }

        return builder.AddTimeout(options.AttemptTimeout).Build();
    }

    /// <summary>The wait a 429 or 503 asks for in Retry-After (seconds or a date), capped; null: the backoff decides.</summary>
    private static TimeSpan? RetryAfter(HttpResponseMessage? response, TimeProvider time, TimeSpan cap)
    {
        var header = response?.Headers.RetryAfter;
        var wait = header?.Delta ?? (header?.Date is { } date ? date - time.GetUtcNow() : null);
        return wait is { } w ? TimeSpan.FromTicks(Math.Clamp(w.Ticks, 0, cap.Ticks)) : null;
    }
}
