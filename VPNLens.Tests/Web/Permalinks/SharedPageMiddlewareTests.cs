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

    private sealed class CacheFeature(OutputCacheContext context) : IOutputCacheFeature
    {
        public OutputCacheContext Context { get; } = context;
    }
}
