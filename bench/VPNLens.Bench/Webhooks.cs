using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using VPNLens.Core.Phases;
using VPNLens.Core.Webhooks;

namespace VPNLens.Bench;

/// <summary>
/// Posts phase events to the app the way a node does (docs/node-protocol.md): Standard Webhooks headers, signed with
/// the run's secret by the app's own <see cref="WebhookSignature"/>.
/// </summary>
internal sealed class PhasePoster(HttpClient http, Guid runId, string secret, string protocol)
{
    private readonly WebhookSecret key = WebhookSecret.Parse(secret);

    public Guid RunId => runId;

    /// <summary>Posts one phase event whose detail is <paramref name="detail"/>; returns the HTTP status (0: no answer).</summary>
    public async Task<int> PostAsync(string messageId, int sequence, string detail, CancellationToken cancellationToken)
    {
        var now = DateTimeOffset.UtcNow;
        var body = JsonSerializer.SerializeToUtf8Bytes(new
        {
            protocol,
            phase = Phase.InOrder[sequence % Phase.InOrder.Count],
            status = "succeeded",
            startedAt = now.AddMilliseconds(-5).ToString("O", CultureInfo.InvariantCulture),
            endedAt = now.ToString("O", CultureInfo.InvariantCulture),
            detail,
        });
        using var request = SignedRequest(key, $"api/runs/{runId}/phases", messageId, body, now);
        try
        {
            using var response = await http.SendAsync(request, cancellationToken);
            return (int)response.StatusCode;
        }
        catch (HttpRequestException)
        {
            return 0;
        }
    }

    /// <summary>A POST of <paramref name="body"/> to <paramref name="path"/> with the Standard Webhooks headers, signed now.</summary>
    public static HttpRequestMessage SignedRequest(WebhookSecret key, string path, string messageId, byte[] body, DateTimeOffset now)
    {
        var timestamp = now.ToUnixTimeSeconds();
        var request = new HttpRequestMessage(HttpMethod.Post, path);
        request.Headers.Add(WebhookSignature.IdHeader, messageId);
        request.Headers.Add(WebhookSignature.TimestampHeader, timestamp.ToString(CultureInfo.InvariantCulture));
        request.Headers.Add(WebhookSignature.SignatureHeader, WebhookSignature.Sign(key, messageId, timestamp, body));
        request.Content = new ByteArrayContent(body);
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return request;
    }
}
