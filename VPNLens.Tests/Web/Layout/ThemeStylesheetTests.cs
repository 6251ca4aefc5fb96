using System.Net;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using VPNLens.Tests.Infrastructure;
using VPNLens.Web.Components.Layout;

namespace VPNLens.Tests.Web.Layout;

/// <summary>
/// The theme is one stylesheet for every page, rendered once, linked by its version and kept by browsers; no page carries
/// the theme's CSS inline.
/// </summary>
[Collection(AppCollection.Name)]
public sealed partial class ThemeStylesheetTests : IAsyncLifetime
{
    private readonly VpnLensApp app = new();
    private HttpClient client = null!;

    public ValueTask InitializeAsync()
    {
        client = app.CreateClient();
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        client.Dispose();
        await app.DisposeAsync();
    }

    [Theory]
    [InlineData("/Account/Login")]
    [InlineData("/r/no-such-token")]
    public async Task A_page_links_the_versioned_theme_and_carries_none_of_it_inline(string path)
    {
        // the unknown permalink answers 404 with the friendly page, which wears the theme like any other
        using var response = await client.GetAsync(new Uri(path, UriKind.Relative), TestContext.Current.CancellationToken);
        var html = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);

        var links = ThemeLink().Matches(html);
        Assert.Single(links);
        Assert.DoesNotContain("--mud-palette-primary", html, StringComparison.Ordinal);
        Assert.DoesNotContain("mud-theme-provider", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_linked_version_is_the_theme_as_css_kept_for_a_year_and_revalidated_by_its_etag()
    {
        var href = await LinkedHrefAsync();

        using var response = await client.GetAsync(new Uri(href, UriKind.Relative), TestContext.Current.CancellationToken);
        var css = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/css", response.Content.Headers.ContentType?.MediaType);
        // VpnLensTheme: primary #3949ab, app bar #283593
        Assert.Contains("--mud-palette-primary: rgba(57,73,171,1);", css, StringComparison.Ordinal);
        Assert.Contains("--mud-palette-appbar-background: rgba(40,53,147,1);", css, StringComparison.Ordinal);
        Assert.DoesNotContain("<style", css, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(TimeSpan.FromDays(365), response.Headers.CacheControl?.MaxAge);
        Assert.NotNull(response.Headers.ETag);

        using var again = new HttpRequestMessage(HttpMethod.Get, href);
        again.Headers.IfNoneMatch.Add(response.Headers.ETag);
        using var revalidated = await client.SendAsync(again, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.NotModified, revalidated.StatusCode);
        Assert.Empty(await revalidated.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken));
    }

    [Theory]
    [InlineData(ThemeStylesheet.Path)]
    [InlineData(ThemeStylesheet.Path + "?v=0123456789abcdef")]
    public async Task Without_the_current_version_the_theme_must_be_revalidated(string href)
    {
        using var response = await client.GetAsync(new Uri(href, UriKind.Relative), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(response.Headers.CacheControl?.NoCache, $"Cache-Control: {response.Headers.CacheControl}");
    }

    [Fact]
    public async Task The_theme_is_rendered_once_for_the_process()
    {
        var theme = app.Services.GetRequiredService<ThemeStylesheet>();

        var first = await theme.GetAsync();
        await LinkedHrefAsync();

        Assert.Same(first, await theme.GetAsync());
    }

    [Fact]
    public void The_css_is_the_providers_style_elements_and_other_markup_is_refused()
    {
        Assert.Equal("a{}\nb{}", ThemeStylesheet.CssOf("<style>a{}</style>\n<style class='mud-theme-provider'> b{} </style>"));

        var refused = Assert.Throws<InvalidOperationException>(() => ThemeStylesheet.CssOf("<style>a{}</style><div class=\"mud-popover-provider\"></div>"));
        Assert.Contains("mud-popover-provider", refused.Message, StringComparison.Ordinal);
        Assert.Throws<InvalidOperationException>(() => ThemeStylesheet.CssOf(" "));
    }

    private async Task<string> LinkedHrefAsync()
    {
        var html = await client.GetStringAsync(new Uri("/Account/Login", UriKind.Relative), TestContext.Current.CancellationToken);
        return ThemeLink().Match(html).Groups["href"].Value;
    }

    [GeneratedRegex("""<link href="(?<href>/theme\.css\?v=[0-9a-f]{16})" rel="stylesheet" />""")]
    private static partial Regex ThemeLink();
}
