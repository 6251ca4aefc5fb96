using System.Security.Cryptography;
using System.Text.Json;

namespace VPNLens.Core.Runs;

/// <summary>A short key that is the same for equal <see cref="RunSettings"/> and differs when any setting differs.</summary>
public static class RunSettingsFingerprint
{
    public const int Length = 16;

    public static string Of(RunSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return Convert.ToHexStringLower(SHA256.HashData(JsonSerializer.SerializeToUtf8Bytes(settings, JsonSerializerOptions.Web)))[..Length];
    }
}
