using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Identity;

namespace VPNLens.Web.Account;

/// <summary>Sign-out as a form POST (antiforgery-checked), so a link or an image elsewhere cannot sign anyone out.</summary>
public static class AccountEndpoints
{
    public const string LoginPath = "/account/login";
    public const string LogoutPath = "/account/logout";
    public const string DeniedPath = "/account/denied";

    public static IEndpointRouteBuilder MapAccountEndpoints(this IEndpointRouteBuilder app)
    {
        // Validated here rather than by form binding, so a missing token is a 400 and not an exception.
        app.MapPost(LogoutPath, async (HttpContext context, IAntiforgery antiforgery, SignInManager<IdentityUser> signIn) =>
        {
            if (!context.Request.HasFormContentType || !await antiforgery.IsRequestValidAsync(context))
            {
                return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Sign-out refused", detail: "Sign out with the dashboard's Sign out button.");
            }

            var form = await context.Request.ReadFormAsync(context.RequestAborted);
            await signIn.SignOutAsync();
            return Results.LocalRedirect(LocalUrl.OrDefault(form["returnUrl"], LoginPath));
        }).DisableAntiforgery().AllowAnonymous();
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
