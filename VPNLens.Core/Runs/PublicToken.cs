using System.Buffers.Text;
using System.Security.Cryptography;

namespace VPNLens.Core.Runs;

/// <summary>Unguessable permalink tokens: 256 random bits, URL-safe base64.</summary>
public static class PublicToken
{
    public static string Generate() => Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
}
