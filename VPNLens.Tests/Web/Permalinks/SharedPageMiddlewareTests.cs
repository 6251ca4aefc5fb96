using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.OutputCaching;
using VPNLens.Core.Runs;
using VPNLens.Web.Permalinks;

namespace VPNLens.Tests.Web.Permalinks;

public sealed class SharedPageMiddlewareTests
{
    [Theory]
    [InlineData("<p>a</p><!--Blazor-Server-Component-State:CfDJ8AbC+/=--><p>b</p>", "<p>a</p><p>b</p>")]
    [InlineData("<!--Blazor-WebAssembly-Component-State:eyJ9-->x<!--Blazor-Server-Component-State:Q2-->", "x")]
    [InlineData("<!--Blazor:{\"type\":\"server\"}--><!--Blazor-Server-Component-State:Q2-->end", "<!--Blazor:{\"type\":\"server\"}-->end")]
    [InlineData("<p>no state here</p>", "<p>no state here</p>")]
    [InlineData("<p>cut short</p><!--Blazor-Server-Component-State:Q2", "<p>cut short</p><!--Blazor-Server-Component-State:Q2")]
    public void The_shared_page_keeps_everything_but_the_persisted_component_state(string page, string shared)
    {
        var parts = SharedPageMiddleware.WithoutPersistedState(Encoding.UTF8.GetBytes(page));

        Assert.Equal(shared, string.Concat(parts.Select(p => Encoding.UTF8.GetString(p.Span))));
    }

    [Fact]
    public async Task A_reader_who_leaves_while_the_page_goes_out_is_not_an_error()
    {
        using var left = new CancellationTokenSource();
        await left.CancelAsync();
        var context = new DefaultHttpContext { RequestAborted = left.Token };
        context.Request.Method = HttpMethods.Get;
        context.Request.Path = "/r/AbC123_-";
        context.Response.Body = new MemoryStream();
        var middleware = new SharedPageMiddleware(http => http.Response.WriteAsync("<p>the page</p>"));

        await middleware.InvokeAsync(context);

        Assert.Equal(0, context.Response.Body.Length);
    }

    [Theory]
    [InlineData(true, "<p>the finished page</p>", false)]
    [InlineData(false, "", false)]
    [InlineData(false, "<p>the finished page</p>", true)]
    public async Task Only_a_whole_page_for_a_reader_still_there_is_kept_for_the_others(bool readerLeft, string rendered, bool kept)
    {
        using var left = new CancellationTokenSource();
        if (readerLeft)
        {
            await left.CancelAsync();
        }

        var context = new DefaultHttpContext { RequestAborted = left.Token };
        var cache = new CacheFeature(new OutputCacheContext { HttpContext = context, AllowCacheStorage = true });
        context.Features.Set<IOutputCacheFeature>(cache);
        context.Request.Method = HttpMethods.Get;
        context.Request.Path = "/r/AbC123_-";
        context.Response.Body = new MemoryStream();
        var middleware = new SharedPageMiddleware(http =>
        {
            SharedRunPages.MarkShared(http, Guid.NewGuid(), RunState.Succeeded);
            return http.Response.WriteAsync(rendered);
        });

        await middleware.InvokeAsync(context);

        Assert.Equal(kept, cache.Context.AllowCacheStorage);
    }

    /// <summary>
    /// The output cache fixes a response's lifetime when the response starts, before the policy's answer: the page's own
    /// lifetime must be set by then, or a finished page is kept for a live page's 2 s and rendered again for nearly
    /// every reader (the bench's finished permalink fell from ~17,000 to ~170 pages a second).
    /// </summary>
    [Theory]
    [InlineData(RunState.Succeeded, 3600)]
    [InlineData(RunState.TimedOut, 3600)]
    [InlineData(RunState.Running, 2)]
    public async Task The_page_s_lifetime_in_the_cache_is_set_before_the_response_starts(RunState state, int seconds)
    {
        var context = new DefaultHttpContext();
        var cache = new CacheFeature(new OutputCacheContext { HttpContext = context, AllowCacheStorage = true, ResponseExpirationTimeSpan = TimeSpan.FromSeconds(2) });
        context.Features.Set<IOutputCacheFeature>(cache);
        context.Request.Method = HttpMethods.Get;
        context.Request.Path = "/r/AbC123_-";
        TimeSpan? atStart = null;
        context.Response.Body = new StartWatchingStream(() => atStart = cache.Context.ResponseExpirationTimeSpan);
        var middleware = new SharedPageMiddleware(http =>
        {
            SharedRunPages.MarkShared(http, Guid.NewGuid(), state);
            return http.Response.WriteAsync("<p>the page</p>");
        });

        await middleware.InvokeAsync(context);

        Assert.Equal(TimeSpan.FromSeconds(seconds), atStart);
    }

    /// <summary>Calls back at its first write, where a real response starts.</summary>
    private sealed class StartWatchingStream(Action started) : MemoryStream
    {
        private Action? onStart = started;

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Interlocked.Exchange(ref onStart, null)?.Invoke();
            return base.WriteAsync(buffer, cancellationToken);
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        {
            Interlocked.Exchange(ref onStart, null)?.Invoke();
            return base.WriteAsync(buffer, offset, count, cancellationToken);
        }
    }

    private sealed class CacheFeature(OutputCacheContext context) : IOutputCacheFeature
    {
        public OutputCacheContext Context { get; } = context;
    }
}
