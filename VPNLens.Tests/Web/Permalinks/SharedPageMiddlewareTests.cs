using System.Text;
using Microsoft.AspNetCore.Http;
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
}
