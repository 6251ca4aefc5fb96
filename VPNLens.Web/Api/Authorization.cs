using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;

namespace VPNLens.Web.Api;

public static class Authorization
{
    public const string AdminRole = "Admin";

    /// <summary>API callers: a valid bearer token or a signed-in user.</summary>
    public const string ApiPolicy = "Api";

    /// <summary>Admins only: node management and the Hangfire dashboard.</summary>
    public const string AdminPolicy = "Admin";

    public static IServiceCollection AddVpnLensAuthorization(this IServiceCollection services)
    {
        services.AddAuthentication(IdentityConstants.ApplicationScheme)
            .AddScheme<AuthenticationSchemeOptions, ApiTokenAuthenticationHandler>(ApiTokenAuthenticationHandler.SchemeName, null);

        services.AddAuthorizationBuilder()
            .AddPolicy(ApiPolicy, policy => policy
                .AddAuthenticationSchemes(ApiTokenAuthenticationHandler.SchemeName, IdentityConstants.ApplicationScheme)
                .RequireAuthenticatedUser())
            .AddPolicy(AdminPolicy, policy => policy
                .AddAuthenticationSchemes(ApiTokenAuthenticationHandler.SchemeName, IdentityConstants.ApplicationScheme)
                .RequireRole(AdminRole));
        return services;
    }
}
