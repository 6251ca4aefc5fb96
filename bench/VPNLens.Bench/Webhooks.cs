using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace VPNLens.Bench;

/// <summary>
/// Posts phase events to the app the way a node does (docs/node-protocol.md): Standard Webhooks
/// headers, HMAC-SHA256 over "id.timestamp.body" with the run's secret.
/// </summary>
internal sealed class PhasePoster(HttpClient http, Guid runId, string secret, string protocol)
{
    private static readonly string[] Phases =
    [
        "stop_everything", "bring_up", "rung_interface", "rung_ip", "rung_route", "rung_ping", "rung_backend", "rung_full_size",
        "latency_idle", "tcp_upload", "tcp_download", "tcp_parallel", "tcp_bidir", "latency_loaded", "udp", "cpu", "recovery", "teardown",
    ];

    private readonly byte[] key = Convert.FromBase64String(secret.StartsWith("whsec_", StringComparison.Ordinal) ? secret[6..] : secret);

    public Guid RunId => runId;

    /// <summary>Posts one phase event whose detail is <paramref name="detail"/>; returns the HTTP status (0: no answer).</summary>
    public async Task<int> PostAsync(string messageId, int sequence, string detail, CancellationToken cancellationToken)
    {
        var now = DateTimeOffset.UtcNow;
        var body = JsonSerializer.SerializeToUtf8Bytes(new
        {
            protocol,
            phase = Phases[sequence % Phases.Length],
            status = "succeeded",
            startedAt = now.AddMilliseconds(-5).ToString("O", System.Globalization.CultureInfo.InvariantCulture),
            endedAt = now.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
            detail,
        });
        var timestamp = now.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        using var request = new HttpRequestMessage(HttpMethod.Post, $"api/runs/{runId}/phases");
        request.Headers.Add("webhook-id", messageId);
        request.Headers.Add("webhook-timestamp", timestamp);
        request.Headers.Add("webhook-signature", Sign(messageId, timestamp, body));
        request.Content = new ByteArrayContent(body);
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
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

    public string Sign(string messageId, string timestamp, byte[] body)
    {
        var prefix = Encoding.UTF8.GetBytes($"{messageId}.{timestamp}.");
        var signed = new byte[prefix.Length + body.Length];
        prefix.CopyTo(signed, 0);
        body.CopyTo(signed, prefix.Length);
        return "v1," + Convert.ToBase64String(HMACSHA256.HashData(key, signed));
    }
}
