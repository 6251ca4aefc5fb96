using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;

namespace VPNLens.Web.Account;

/// <summary>Sign-out as a form POST (antiforgery-checked), so a link or an image elsewhere cannot sign anyone out.</summary>
public static class AccountEndpoints
{
    public const string LoginPath = "/account/login";
    public const string LogoutPath = "/account/logout";
    public const string DeniedPath = "/account/denied";

    public static IEndpointRouteBuilder MapAccountEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost(LogoutPath, async (SignInManager<IdentityUser> signIn, [FromForm] string? returnUrl) =>
        {
            await signIn.SignOutAsync();
            return TypedResults.LocalRedirect(LocalUrl.OrDefault(returnUrl, LoginPath));
        }).AllowAnonymous();
        return app;
    }
}

/// <summary>Only paths on this site are followed after sign-in or sign-out: no open redirects.</summary>
public static class LocalUrl
{
    public static bool IsLocal(string? url) =>
        !string.IsNullOrEmpty(url)
        && url[0] == '/'
        && (url.Length == 1 || (url[1] != '/' && url[1] != '\\'))
        && !url.Contains('\\', StringComparison.Ordinal)
        && Uri.IsWellFormedUriString(url, UriKind.Relative);

    public static string OrDefault(string? url, string fallback) => IsLocal(url) ? url! : fallback;
}
