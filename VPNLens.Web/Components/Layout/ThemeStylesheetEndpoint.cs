namespace VPNLens.Web.Components.Layout;

public static class ThemeStylesheetEndpoint
{
    /// <summary>
    /// GET /theme.css: the theme. Asked for by the version every page links to, it is immutable (a new theme is a new
    /// version); without it, or by an older one, it must be revalidated.
    /// </summary>
    public static IEndpointRouteBuilder MapThemeStylesheet(this IEndpointRouteBuilder app)
    {
        app.MapGet(ThemeStylesheet.Path, async (HttpContext http, ThemeStylesheet theme) =>
        {
            var stylesheet = await theme.GetAsync();
            http.Response.Headers.CacheControl = http.Request.Query["v"] == stylesheet.Version
                ? "public, max-age=31536000, immutable"
                : "no-cache";
            var etag = $"\"{stylesheet.Version}\"";
            http.Response.Headers.ETag = etag;
            return http.Request.Headers.IfNoneMatch == etag
                ? Results.StatusCode(StatusCodes.Status304NotModified)
                : Results.Text(stylesheet.Css, "text/css; charset=utf-8");
        }).AllowAnonymous().ExcludeFromDescription();
        return app;
    }
}
