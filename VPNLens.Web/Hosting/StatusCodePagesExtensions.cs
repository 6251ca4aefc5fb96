using Microsoft.AspNetCore.Diagnostics;

namespace VPNLens.Web.Hosting;

public static class StatusCodePagesExtensions
{
    /// <summary>The page a browser sees for an error status that has no body of its own.</summary>
    public const string StatusPagePath = "/status/{0}";

    /// <summary>
    /// An error status with no body gets one: a page a person can read when a browser asked for a page, problem details
    /// for everyone else (the API, the hubs, scripts and anything that did not ask for HTML).
    /// </summary>
    /// <remarks>
    /// Two status code middlewares, each switched off for the requests that belong to the other. The page is rendered by
    /// re-executing the request, which must see the app's routes: in a <c>UseWhen</c> branch it would not.
    /// </remarks>
    public static IApplicationBuilder UseStatusCodePagesForPeopleAndClients(this IApplicationBuilder app)
    {
        app.UseStatusCodePagesWithReExecute(StatusPagePath, createScopeForStatusCodePages: true);
        app.Use((context, next) => DisableUnless(context, IsBrowserPageRequest(context), next));
        app.UseStatusCodePages();
        app.Use((context, next) => DisableUnless(context, !IsBrowserPageRequest(context), next));
        return app;
    }

    /// <summary>A browser navigating to a page: it asks for HTML, and the path is not one of the machine interfaces.</summary>
    public static bool IsBrowserPageRequest(HttpContext http)
    {
        var path = http.Request.Path;
        if (path.StartsWithSegments("/api") || path.StartsWithSegments("/hubs") || path.StartsWithSegments("/_blazor") || path.StartsWithSegments("/healthz"))
        {
            return false;
        }

        return http.Request.GetTypedHeaders().Accept.Any(accept => accept.MediaType.Equals("text/html", StringComparison.OrdinalIgnoreCase));
    }

    // The feature in the request is the one the status code middleware just before this one put there.
    private static Task DisableUnless(HttpContext context, bool keep, Func<Task> next)
    {
        if (!keep && context.Features.Get<IStatusCodePagesFeature>() is { } feature)
        {
            feature.Enabled = false;
        }

        return next();
    }
}
