using System.ComponentModel.DataAnnotations;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace VPNLens.Web.Api;

public sealed class ApiOptions
{
    public const string Section = "Api";

    /// <summary>The bearer token automation and tests send; the main command generates one on first start.</summary>
    [Required]
    [MinLength(16, ErrorMessage = "Api:Token must be at least 16 characters.")]
    public string Token { get; set; } = string.Empty;
}

/// <summary>Authenticates "Authorization: Bearer &lt;Api:Token&gt;" in constant time.</summary>
public sealed class ApiTokenAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> schemeOptions,
    ILoggerFactory logger,
    UrlEncoder encoder,
    IOptions<ApiOptions> api) : AuthenticationHandler<AuthenticationSchemeOptions>(schemeOptions, logger, encoder)
{
    public const string SchemeName = "ApiToken";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        string? header = Request.Headers.Authorization;
        if (header is null || !header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        var given = Encoding.UTF8.GetBytes(header["Bearer ".Length..].Trim());
        var expected = Encoding.UTF8.GetBytes(api.Value.Token);
        if (!CryptographicOperations.FixedTimeEquals(given, expected))
        {
            return Task.FromResult(AuthenticateResult.Fail("The API token is wrong."));
        }

        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, "api"), new Claim(ClaimTypes.Role, Authorization.AdminRole)], SchemeName);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName)));
    }
}
