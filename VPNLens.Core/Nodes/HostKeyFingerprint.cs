using System.Buffers.Text;
using System.Security.Cryptography;

namespace VPNLens.Core.Nodes;

/// <summary>SHA-256 host-key fingerprints in OpenSSH's notation: "SHA256:" + base64 without padding.</summary>
public static class HostKeyFingerprint
{
    private const string Prefix = "SHA256:";

    public static string Of(ReadOnlySpan<byte> hostKeyBlob) =>
        Prefix + Convert.ToBase64String(SHA256.HashData(hostKeyBlob)).TrimEnd('=');

    public static bool IsValid(string? fingerprint)
    {
        if (fingerprint is null || !fingerprint.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return false;
        }

        var encoded = fingerprint[Prefix.Length..];
        if (encoded.Length != 43)
        {
            return false;
        }

        return Base64.IsValid(encoded + "=", out var decodedLength) && decodedLength == 32;
    }

    /// <summary>Constant-time comparison, so a probe cannot learn the pinned value byte by byte.</summary>
    public static bool Matches(string pinned, string presented) =>
        CryptographicOperations.FixedTimeEquals(
            System.Text.Encoding.ASCII.GetBytes(pinned),
            System.Text.Encoding.ASCII.GetBytes(presented));
}
