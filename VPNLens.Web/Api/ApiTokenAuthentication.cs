using System.ComponentModel.DataAnnotations;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using VPNLens.Web.ApiTokens;

namespace VPNLens.Web.Api;

public sealed class ApiOptions
{
    public const string Section = "Api";

    /// <summary>
    /// The bootstrap admin token: the main command generates one on first start and uses it. Tokens made on the
    /// API tokens page (/admin/tokens) can be scoped and revoked; this one lasts as long as the setting.
    /// </summary>
    [Required]
    [MinLength(16, ErrorMessage = "Api:Token must be at least 16 characters.")]
    public string Token { get; set; } = string.Empty;
}

/// <summary>
/// Authenticates "Authorization: Bearer &lt;token&gt;": the bootstrap Api:Token (compared in constant time, admin) or an
/// unrevoked token from the API tokens page (found by its SHA-256, with its scope: "runs" or admin).
/// </summary>
public sealed class ApiTokenAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> schemeOptions,
    ILoggerFactory logger,
    UrlEncoder encoder,
    IOptions<ApiOptions> api,
    ApiTokenStore tokens) : AuthenticationHandler<AuthenticationSchemeOptions>(schemeOptions, logger, encoder)
{
    public const string SchemeName = "ApiToken";

    public const string ScopeClaim = "scope";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        string? header = Request.Headers.Authorization;
        if (header is null || !header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return AuthenticateResult.NoResult();
        }

        var presented = header["Bearer ".Length..].Trim();
        if (CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(presented), Encoding.UTF8.GetBytes(api.Value.Token)))
        {
            return Success("api", ApiTokenScope.Admin);
        }

        var token = await tokens.FindActiveAsync(presented, Context.RequestAborted);
        return token is null ? AuthenticateResult.Fail("The API token is wrong or revoked.") : Success(token.Name, token.Scope);
    }

    private static AuthenticateResult Success(string name, ApiTokenScope scope)
    {
        List<Claim> claims = [new(ClaimTypes.Name, name), new(ScopeClaim, scope.ToString().ToLowerInvariant())];
        if (scope == ApiTokenScope.Admin)
        {
            claims.Add(new Claim(ClaimTypes.Role, Authorization.AdminRole));
        }

        var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName));
        return AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName));
    }
}
