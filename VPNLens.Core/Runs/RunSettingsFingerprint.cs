using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace VPNLens.Core.Runs;

/// <summary>
/// A short key that is the same for equal <see cref="RunSettings"/> and differs when any setting differs. IPv4, the
/// default address family, is left out of what is hashed, so runs from before <see cref="RunSettings.IpVersion"/>
/// existed keep their key and their series.
/// </summary>
public static class RunSettingsFingerprint
{
    public const int Length = 16;

    private static readonly JsonSerializerOptions Options = new(JsonSerializerOptions.Web)
    {
        TypeInfoResolver = new DefaultJsonTypeInfoResolver { Modifiers = { OmitIpv4 } },
    };

    public static string Of(RunSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return Convert.ToHexStringLower(SHA256.HashData(JsonSerializer.SerializeToUtf8Bytes(settings, Options)))[..Length];
    }

    private static void OmitIpv4(JsonTypeInfo info)
    {
        if (info.Type != typeof(RunSettings))
        {
            return;
        }

        var ipVersion = info.Properties.Single(p => p.Name == "ipVersion");
        ipVersion.ShouldSerialize = (_, value) => value is not 4;
    }
}
