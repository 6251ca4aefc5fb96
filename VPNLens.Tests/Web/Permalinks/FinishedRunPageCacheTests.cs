using System.Net;
using Microsoft.AspNetCore.Mvc.Testing;
using VPNLens.Core.Runs;
using VPNLens.Tests.Infrastructure;

namespace VPNLens.Tests.Web.Permalinks;

/// <summary>
/// A finished run's permalink is rendered statically and served from the output cache to signed-out visitors, and a signed-in
/// page (it names its user) is never shared. A live run's page: <see cref="LivePermalinkPageTests"/>.
/// </summary>
[Collection(AppCollection.Name)]
public sealed class FinishedRunPageCacheTests : IAsyncLifetime
{
    private readonly VpnLensApp app = new();
    private HttpClient client = null!;
    private Run finished = null!;

    public async ValueTask InitializeAsync()
    {
        client = app.CreateClient();
        var node = Seed.Node("node 1");
        finished = Seed.Run(node.Id, RunState.Succeeded, protocols: ["wireguard", "tailscale", "nebula"]);
        finished.ResultsJson = Fixtures.FourProtocols();
        finished.FinishedAt = DateTimeOffset.UtcNow;
        await app.WithDbAsync(async db =>
        {
            db.AddRange(node, finished);
            await db.SaveChangesAsync();
        });
    }

    public async ValueTask DisposeAsync()
    {
        client.Dispose();
        await app.DisposeAsync();
    }

    [Fact]
    public async Task A_finished_runs_page_is_static_and_the_second_visit_comes_from_the_cache_without_a_cookie()
    {
        var first = await GetAsync(client, finished.PublicToken);
        var second = await GetAsync(client, finished.PublicToken);

        Assert.DoesNotContain("<!--Blazor:{", first.Html, StringComparison.Ordinal);
        Assert.Contains("data-testid=\"headline\"", first.Html, StringComparison.Ordinal);
        Assert.Contains("data-enhance-nav=\"false\"", first.Html, StringComparison.Ordinal);
        Assert.Null(first.Age);
        Assert.NotNull(second.Age);
        Assert.Equal(first.Html, second.Html);
        // A shared page carries no visitor's antiforgery token: neither its cookie nor the persisted state that holds it.
        Assert.False(first.SetsCookie || second.SetsCookie, "a cached page must not hand every visitor the same cookie");
        Assert.DoesNotContain("Component-State:", first.Html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_signed_in_visitor_gets_a_fresh_page_that_is_never_shared_with_others()
    {
        using var signedIn = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
        await SignIn.SignInAsync(signedIn, SignIn.AdminEmail, SignIn.AdminPassword);

        var own = await GetAsync(signedIn, finished.PublicToken);
        var anonymous = await GetAsync(client, finished.PublicToken);

        Assert.Null(own.Age);
        Assert.Contains(SignIn.AdminEmail, own.Html, StringComparison.Ordinal);
        Assert.DoesNotContain(SignIn.AdminEmail, anonymous.Html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_token_is_not_cached()
    {
        await GetAsync(client, "no-such-token", HttpStatusCode.NotFound);
        var second = await GetAsync(client, "no-such-token", HttpStatusCode.NotFound);

        Assert.Null(second.Age);
        Assert.Contains("data-testid=\"not-found\"", second.Html, StringComparison.Ordinal);
    }

    private static async Task<Page> GetAsync(HttpClient http, string token, HttpStatusCode expected = HttpStatusCode.OK)
    {
        using var response = await http.GetAsync(new Uri($"/r/{token}", UriKind.Relative), TestContext.Current.CancellationToken);
        Assert.Equal(expected, response.StatusCode);
        return new Page(
            await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken),
            response.Headers.Age,
            response.Headers.Contains("Set-Cookie"));
    }

    private sealed record Page(string Html, TimeSpan? Age, bool SetsCookie);
}
