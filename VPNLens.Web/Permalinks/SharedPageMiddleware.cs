using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Net.Http.Headers;

namespace VPNLens.Web.Permalinks;

/// <summary>
/// Makes a finished run's page the same for every visitor before the output cache stores it. Blazor renders every page
/// of an interactive app with the visitor's own antiforgery token in its persisted component state (and the cookie
/// that goes with it); a page handed to everyone must carry neither. The page is static and posts nothing, so it
/// loses nothing by it, and its links load the next page afresh (<c>data-enhance-nav="false"</c> in App.razor).
/// Sits inside <c>UseOutputCache</c>: what it writes is what the cache sees.
/// </summary>
public sealed partial class SharedPageMiddleware(RequestDelegate next)
{
    public async Task InvokeAsync(HttpContext context)
    {
        if (!FinishedRunPagePolicy.IsShareableRequest(context))
        {
            await next(context);
            return;
        }

        var body = context.Response.Body;
        using var buffer = new MemoryStream();
        context.Response.Body = buffer;
        try
        {
            await next(context);
        }
        finally
        {
            context.Response.Body = body;
        }

        if (FinishedRunPages.IsMarkedFinished(context) && context.Response.StatusCode == StatusCodes.Status200OK)
        {
            await WriteSharedAsync(context, buffer);
            return;
        }

        buffer.Position = 0;
        await buffer.CopyToAsync(body, context.RequestAborted);
    }

    private static async Task WriteSharedAsync(HttpContext context, MemoryStream buffer)
    {
        var headers = context.Response.Headers;
        headers.Remove(HeaderNames.SetCookie);
        headers.Remove(HeaderNames.Pragma);
        // Antiforgery said no-store for the visitor's token; without it the page may be kept, briefly, by browsers too.
        headers.CacheControl = "public, max-age=60";

        var html = Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
        var shared = Encoding.UTF8.GetBytes(PersistedState().Replace(html, string.Empty));
        context.Response.ContentLength = shared.Length;
        await context.Response.Body.WriteAsync(shared, context.RequestAborted);
    }

    [GeneratedRegex("<!--Blazor-(Server|WebAssembly)-Component-State:[^>]*-->", RegexOptions.CultureInvariant)]
    private static partial Regex PersistedState();
}
