using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using VPNLens.Core.Webhooks;

namespace VPNLens.Tests.Infrastructure;

/// <summary>Posts callbacks signed the way a node signs them.</summary>
public static class SignedCallbacks
{
    public static HttpRequestMessage Request(Guid runId, string kind, string secret, string body, string? messageId = null, DateTimeOffset? at = null) =>
        Request(runId, kind, secret, Encoding.UTF8.GetBytes(body), messageId, at);

    /// <summary>Signs the exact bytes given, which need not be valid UTF-8.</summary>
    public static HttpRequestMessage Request(Guid runId, string kind, string secret, byte[] bytes, string? messageId = null, DateTimeOffset? at = null)
    {
        var id = messageId ?? $"msg_{Guid.NewGuid():N}";
        var timestamp = (at ?? DateTimeOffset.UtcNow).ToUnixTimeSeconds();
        var request = new HttpRequestMessage(HttpMethod.Post, $"/api/runs/{runId}/{kind}") { Content = new ByteArrayContent(bytes) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.Add(WebhookSignature.IdHeader, id);
        request.Headers.Add(WebhookSignature.TimestampHeader, timestamp.ToString(CultureInfo.InvariantCulture));
        request.Headers.Add(WebhookSignature.SignatureHeader, WebhookSignature.Sign(WebhookSecret.Parse(secret), id, timestamp, bytes));
        return request;
    }

    public static string Phase(string protocol = "wireguard", string phase = "tcp_upload", string status = "succeeded", string detail = "ok") =>
        $$"""{"protocol":"{{protocol}}","phase":"{{phase}}","status":"{{status}}","startedAt":"2026-11-25T08:00:00.000Z","endedAt":"2026-11-25T08:00:01.500Z","detail":"{{detail}}"}""";

    public static string Results() => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "results-wireguard.json"));
}
