using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;

namespace VPNLens.Web.Api;

public static class Authorization
{
    public const string AdminRole = "Admin";

    /// <summary>API callers: a valid bearer token (not a metrics-only one) or a signed-in user.</summary>
    public const string ApiPolicy = "Api";

    /// <summary>Admins only: node management; a signed-in admin or an admin-scoped API token.</summary>
    public const string AdminPolicy = "Admin";

    /// <summary>Signed-in admins only, never an API token: the Hangfire dashboard and the API tokens page.</summary>
    public const string SignedInAdminPolicy = "SignedInAdmin";

    public static IServiceCollection AddVpnLensAuthorization(this IServiceCollection services)
    {
        services.AddAuthentication(IdentityConstants.ApplicationScheme)
            .AddScheme<AuthenticationSchemeOptions, ApiTokenAuthenticationHandler>(ApiTokenAuthenticationHandler.SchemeName, null);

        services.AddAuthorizationBuilder()
            .AddPolicy(ApiPolicy, policy => policy
                .AddAuthenticationSchemes(ApiTokenAuthenticationHandler.SchemeName, IdentityConstants.ApplicationScheme)
                .RequireAuthenticatedUser()
                .RequireAssertion(context => !context.User.HasClaim(ApiTokenAuthenticationHandler.ScopeClaim, "metrics")))
            .AddPolicy(AdminPolicy, policy => policy
                .AddAuthenticationSchemes(ApiTokenAuthenticationHandler.SchemeName, IdentityConstants.ApplicationScheme)
                .RequireRole(AdminRole))
            .AddPolicy(SignedInAdminPolicy, policy => policy
                .AddAuthenticationSchemes(IdentityConstants.ApplicationScheme)
                .RequireRole(AdminRole));
        services.AddSingleton<ApiTokens.ApiTokenStore>();
        return services;
    }
}
