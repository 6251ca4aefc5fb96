using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace VPNLens.Core.Webhooks;

/// <summary>
/// Signs and verifies messages the Standard Webhooks way: HMAC-SHA256 over "id.timestamp.body",
/// sent as "v1,&lt;base64&gt;" in webhook-signature (several space-separated signatures allowed).
/// </summary>
public static class WebhookSignature
{
    public const string IdHeader = "webhook-id";
    public const string TimestampHeader = "webhook-timestamp";
    public const string SignatureHeader = "webhook-signature";
    public static readonly TimeSpan Tolerance = TimeSpan.FromMinutes(5);

    public static string Sign(WebhookSecret secret, string messageId, long timestamp, ReadOnlySpan<byte> body)
    {
        ArgumentNullException.ThrowIfNull(secret);
        return "v1," + Convert.ToBase64String(Compute(secret, messageId, timestamp, body));
    }

    public static WebhookVerification Verify(
        WebhookSecret secret,
        string? messageId,
        string? timestampHeader,
        string? signatureHeader,
        ReadOnlySpan<byte> body,
        DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(secret);
        if (string.IsNullOrWhiteSpace(messageId) || string.IsNullOrWhiteSpace(timestampHeader) || string.IsNullOrWhiteSpace(signatureHeader))
        {
            return WebhookVerification.MissingHeaders;
        }

        if (!long.TryParse(timestampHeader, NumberStyles.None, CultureInfo.InvariantCulture, out var timestamp))
        {
            return WebhookVerification.MalformedTimestamp;
        }

        var sentAt = DateTimeOffset.FromUnixTimeSeconds(Math.Clamp(timestamp, 0, 253402300799));
        if ((now - sentAt).Duration() > Tolerance)
        {
            return WebhookVerification.TimestampOutOfTolerance;
        }

        var expected = Compute(secret, messageId, timestamp, body);
        foreach (var candidate in signatureHeader.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            var comma = candidate.IndexOf(',', StringComparison.Ordinal);
            if (comma <= 0 || candidate[..comma] != "v1")
            {
                continue;
            }

            if (TryDecode(candidate[(comma + 1)..], out var given) && CryptographicOperations.FixedTimeEquals(given, expected))
            {
                return WebhookVerification.Valid;
            }
        }

        return WebhookVerification.SignatureMismatch;
    }

    private static byte[] Compute(WebhookSecret secret, string messageId, long timestamp, ReadOnlySpan<byte> body)
    {
        var prefix = Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{messageId}.{timestamp}."));
        var content = new byte[prefix.Length + body.Length];
        prefix.CopyTo(content, 0);
        body.CopyTo(content.AsSpan(prefix.Length));
        return HMACSHA256.HashData(secret.Key, content);
    }

    private static bool TryDecode(string base64, out byte[] bytes)
    {
        bytes = new byte[32];
        return Convert.TryFromBase64String(base64, bytes, out var written) && written == bytes.Length;
    }
}

public enum WebhookVerification
{
    Valid,
    MissingHeaders,
    MalformedTimestamp,
    TimestampOutOfTolerance,
    SignatureMismatch,
}
