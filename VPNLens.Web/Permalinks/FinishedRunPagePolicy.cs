using Microsoft.AspNetCore.OutputCaching;

namespace VPNLens.Web.Permalinks;

/// <summary>
/// Output caching for permalink pages of finished runs, asked by signed-out visitors (a signed-in page names its user).
/// The page itself says whether the run was finished (<see cref="FinishedRunPages.MarkFinished"/>): a live run's page is never stored.
/// </summary>
public sealed class FinishedRunPagePolicy(TimeSpan lifetime) : IOutputCachePolicy
{
    public ValueTask CacheRequestAsync(OutputCacheContext context, CancellationToken cancellation)
    {
        var cacheable = IsShareableRequest(context.HttpContext);
        context.EnableOutputCaching = true;
        context.AllowCacheLookup = cacheable;
        context.AllowCacheStorage = cacheable;
        context.AllowLocking = true;
        context.ResponseExpirationTimeSpan = lifetime;
        context.CacheVaryByRules.QueryKeys = "*";
        return ValueTask.CompletedTask;
    }

    /// <summary>A signed-out GET (or HEAD) of a permalink page: the only request whose answer may be shared.</summary>
    public static bool IsShareableRequest(HttpContext http) =>
        (HttpMethods.IsGet(http.Request.Method) || HttpMethods.IsHead(http.Request.Method))
        && FinishedRunPages.TokenOf(http.Request.Path) is not null
        && http.User.Identity?.IsAuthenticated != true;

    public ValueTask ServeFromCacheAsync(OutputCacheContext context, CancellationToken cancellation) => ValueTask.CompletedTask;

    public ValueTask ServeResponseAsync(OutputCacheContext context, CancellationToken cancellation)
    {
        var http = context.HttpContext;
        context.AllowCacheStorage = context.AllowCacheStorage
            && http.Response.StatusCode == StatusCodes.Status200OK
            && FinishedRunPages.IsMarkedFinished(http)
            && !http.Response.Headers.ContainsKey(Microsoft.Net.Http.Headers.HeaderNames.SetCookie);
        return ValueTask.CompletedTask;
    }
}
