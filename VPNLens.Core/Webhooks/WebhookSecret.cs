using System.Security.Cryptography;

namespace VPNLens.Core.Webhooks;

/// <summary>A Standard Webhooks signing secret: "whsec_" followed by the base64 of the key bytes.</summary>
public sealed class WebhookSecret
{
    public const string Prefix = "whsec_";
    private const int KeyLength = 32;

    private WebhookSecret(byte[] key) => Key = key;

    internal byte[] Key { get; }

    public static string Generate() => Prefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(KeyLength));

    public static WebhookSecret Parse(string secret)
    {
        ArgumentNullException.ThrowIfNull(secret);
        var encoded = secret.StartsWith(Prefix, StringComparison.Ordinal) ? secret[Prefix.Length..] : secret;
        try
        {
            var key = Convert.FromBase64String(encoded);
            if (key.Length == 0)
            {
                throw new FormatException("The webhook secret is empty.");
            }

            return new WebhookSecret(key);
        }
        catch (FormatException ex)
        {
            throw new FormatException("The webhook secret is not base64 after its whsec_ prefix.", ex);
        }
    }

    public override string ToString() => Prefix + "…";
}
