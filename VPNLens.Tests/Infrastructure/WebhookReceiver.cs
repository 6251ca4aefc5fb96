using System.Collections.Concurrent;
using System.Net;
using System.Threading.Channels;
using VPNLens.Core.Webhooks;

namespace VPNLens.Tests.Infrastructure;

/// <summary>A real HTTP receiver on 127.0.0.1 and a free port: records every request and answers from a script (then 200).</summary>
public sealed class WebhookReceiver : IDisposable
{
    private readonly HttpListener listener = new();
    private readonly ConcurrentQueue<Func<HttpListenerResponse, Task>> answers = new();
    private readonly Channel<ReceivedWebhook> received = Channel.CreateUnbounded<ReceivedWebhook>();
    private readonly ConcurrentQueue<ReceivedWebhook> all = new();

    public WebhookReceiver()
    {
        Port = Sshd.FreePort();
        listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        listener.Start();
        _ = Task.Run(ServeAsync);
    }

    public int Port { get; }

    public string Url => $"http://127.0.0.1:{Port}/hook";

    /// <summary>The status every request gets once the scripted answers are used up.</summary>
    public HttpStatusCode Otherwise { get; set; } = HttpStatusCode.OK;

    public IReadOnlyCollection<ReceivedWebhook> Requests => all;

    public WebhookReceiver Then(HttpStatusCode status, string? retryAfter = null)
    {
        answers.Enqueue(response =>
        {
            response.StatusCode = (int)status;
            if (retryAfter is not null)
            {
                response.AddHeader("Retry-After", retryAfter);
            }

            return Task.CompletedTask;
        });
        return this;
    }

    public async Task<ReceivedWebhook> NextAsync(TimeSpan limit) =>
        await received.Reader.ReadAsync(TestContext.Current.CancellationToken).AsTask().WaitAsync(limit, TestContext.Current.CancellationToken);

    public void Dispose() => listener.Close();

    private async Task ServeAsync()
    {
        while (listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await listener.GetContextAsync();
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException)
            {
                return;
            }

            using var body = new MemoryStream();
            await context.Request.InputStream.CopyToAsync(body);
            var request = new ReceivedWebhook(
                context.Request.Url!.AbsolutePath,
                context.Request.ContentType,
                context.Request.Headers[WebhookSignature.IdHeader],
                context.Request.Headers[WebhookSignature.TimestampHeader],
                context.Request.Headers[WebhookSignature.SignatureHeader],
                body.ToArray());
            all.Enqueue(request);
            if (answers.TryDequeue(out var answer))
            {
                await answer(context.Response);
            }
            else
            {
                context.Response.StatusCode = (int)Otherwise;
            }

            context.Response.Close();
            await received.Writer.WriteAsync(request);
        }
    }
}

public sealed record ReceivedWebhook(string Path, string? ContentType, string? Id, string? Timestamp, string? Signature, byte[] Body)
{
    public WebhookVerification Verify(string secret, DateTimeOffset now) =>
        WebhookSignature.Verify(WebhookSecret.Parse(secret), Id, Timestamp, Signature, Body, now);

    public System.Text.Json.JsonElement Json => System.Text.Json.JsonDocument.Parse(Body).RootElement;
}
