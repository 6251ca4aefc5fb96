using Microsoft.AspNetCore.OutputCaching;

namespace VPNLens.Web.Permalinks;

/// <summary>
/// Output caching for permalink pages asked by signed-out visitors (a signed-in page names its user). The page itself says
/// whether it may be shared and which run it shows (<see cref="SharedRunPages.MarkShared"/>), tagged with its run so its
/// events evict it. How long it is kept is set when the response starts (<see cref="SharedPageMiddleware"/>), a live
/// page's lifetime until then. Concurrent misses wait for one render (locking).
/// </summary>
public sealed class SharedRunPagePolicy : IOutputCachePolicy
{
    public ValueTask CacheRequestAsync(OutputCacheContext context, CancellationToken cancellation)
    {
        var cacheable = IsShareableRequest(context.HttpContext);
        context.EnableOutputCaching = true;
        context.AllowCacheLookup = cacheable;
        context.AllowCacheStorage = cacheable;
        context.AllowLocking = true;
        context.ResponseExpirationTimeSpan = SharedRunPages.LiveLifetime;
        context.CacheVaryByRules.QueryKeys = "*";
        return ValueTask.CompletedTask;
    }

    /// <summary>A signed-out GET (or HEAD) of a permalink page: the only request whose answer may be shared.</summary>
    public static bool IsShareableRequest(HttpContext http) =>
        (HttpMethods.IsGet(http.Request.Method) || HttpMethods.IsHead(http.Request.Method))
        && SharedRunPages.TokenOf(http.Request.Path) is not null
        && http.User.Identity?.IsAuthenticated != true;

    public ValueTask ServeFromCacheAsync(OutputCacheContext context, CancellationToken cancellation) => ValueTask.CompletedTask;

    public ValueTask ServeResponseAsync(OutputCacheContext context, CancellationToken cancellation)
    {
        var http = context.HttpContext;
        var page = SharedRunPages.SharedPageOf(http);
        context.AllowCacheStorage = context.AllowCacheStorage
            && page is not null
            && http.Response.StatusCode == StatusCodes.Status200OK
            && !http.Response.Headers.ContainsKey(Microsoft.Net.Http.Headers.HeaderNames.SetCookie);
        if (context.AllowCacheStorage && page is not null)
        {
            context.Tags.Add(SharedRunPages.TagFor(page.RunId));
            if (page.State == Core.Runs.RunState.Queued)
            {
                context.Tags.Add(SharedRunPages.QueuedTag);
            }
        }

        return ValueTask.CompletedTask;
    }
}
