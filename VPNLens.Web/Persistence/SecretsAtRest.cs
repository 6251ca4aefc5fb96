using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;
using VPNLens.Core.Webhooks;

namespace VPNLens.Web.Persistence;

/// <summary>
/// Keeps secrets encrypted in the database with ASP.NET Core Data Protection (the key ring of
/// DataProtection:KeysPath): entities hold the clear value, the column only ever the protected one.
/// </summary>
public sealed class SecretsAtRest
{
    private readonly IDataProtector protector;

    public SecretsAtRest(IDataProtectionProvider provider)
    {
        ArgumentNullException.ThrowIfNull(provider);
        protector = provider.CreateProtector("VPNLens.SecretsAtRest");
        Converter = new ValueConverter<string, string>(clear => Protect(clear), stored => Unprotect(stored));
    }

    /// <summary>The EF conversion for a secret column; the empty string (an erased secret) stays empty.</summary>
    public ValueConverter<string, string> Converter { get; }

    public string Protect(string clear) => clear.Length == 0 ? clear : protector.Protect(clear);

    /// <summary>
    /// The clear secret; a row written before secrets were protected still reads as it was stored, and one whose
    /// key is gone (a lost key ring) reads as erased rather than failing every page that loads it.
    /// </summary>
    public string Unprotect(string stored)
    {
        if (stored.Length == 0 || stored.StartsWith(WebhookSecret.Prefix, StringComparison.Ordinal))
        {
            return stored;
        }

        try
        {
            return protector.Unprotect(stored);
        }
        catch (CryptographicException)
        {
            return string.Empty;
        }
    }
}
