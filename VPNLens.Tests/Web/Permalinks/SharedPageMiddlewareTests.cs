using System.Text;
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
}
