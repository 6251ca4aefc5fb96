using System.Net;
using Microsoft.AspNetCore.Mvc.Testing;
using VPNLens.Core.Runs;
using VPNLens.Tests.Infrastructure;

namespace VPNLens.Tests.Web.Account;

/// <summary>Sign-in happens in a real HTTP request (a static form page), and the pages say who may see them.</summary>
[Collection(AppCollection.Name)]
public sealed class SignInTests : IAsyncLifetime
{
    private readonly VpnLensApp app = new();
    private HttpClient client = null!;
    private Run run = null!;

    public async ValueTask InitializeAsync()
    {
        client = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
        var node = Seed.Node("node1");
        run = Seed.Run(node.Id, RunState.Queued);
        await app.WithDbAsync(async db =>
        {
            db.AddRange(node, run);
            await db.SaveChangesAsync();
        });
        await SignIn.CreateUserAsync(app.Services);
    }

    public async ValueTask DisposeAsync()
    {
        client.Dispose();
        await app.DisposeAsync();
    }

    [Theory]
    [InlineData("/")]
    [InlineData("/nodes")]
    public async Task Signed_out_pages_that_need_a_user_send_you_to_sign_in(string path)
    {
        using var response = await client.GetAsync(new Uri(path, UriKind.Relative), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Found, response.StatusCode);
        Assert.Equal($"/account/login?ReturnUrl={Uri.EscapeDataString(path)}", response.Headers.Location!.PathAndQuery);
    }

    [Fact]
    public async Task The_live_run_view_needs_a_user_but_its_permalink_does_not()
    {
        using var live = await client.GetAsync(new Uri($"/runs/{run.Id}", UriKind.Relative), TestContext.Current.CancellationToken);
        using var permalink = await client.GetAsync(new Uri($"/r/{run.PublicToken}", UriKind.Relative), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Found, live.StatusCode);
        Assert.Equal(HttpStatusCode.OK, permalink.StatusCode);
        Assert.Contains("Benchmark of node1", await permalink.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_wrong_password_shows_an_error_and_signs_nobody_in()
    {
        using var response = await SignIn.PostLoginAsync(client, SignIn.AdminEmail, "not-the-password");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("Wrong email or password.", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
        using var home = await client.GetAsync(new Uri("/", UriKind.Relative), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Found, home.StatusCode);
    }

    [Fact]
    public async Task Signing_in_goes_back_to_the_page_asked_for_but_never_off_site()
    {
        using var local = await SignIn.PostLoginAsync(client, SignIn.AdminEmail, SignIn.AdminPassword, $"/runs/{run.Id}");
        Assert.Equal(HttpStatusCode.Found, local.StatusCode);
        Assert.Equal($"/runs/{run.Id}", local.Headers.Location!.PathAndQuery);

        using var offSite = await SignIn.PostLoginAsync(client, SignIn.AdminEmail, SignIn.AdminPassword, "//evil.example/phish");
        Assert.Equal(("localhost", "/"), (offSite.Headers.Location!.Host, offSite.Headers.Location.PathAndQuery));

        using var page = await client.GetAsync(new Uri($"/runs/{run.Id}", UriKind.Relative), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("Run on node1", await page.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_user_who_is_not_an_admin_sees_the_dashboard_but_not_the_nodes_page()
    {
        await SignIn.SignInAsync(client, SignIn.UserEmail, SignIn.UserPassword);

        using var dashboard = await client.GetAsync(new Uri("/", UriKind.Relative), TestContext.Current.CancellationToken);
        using var nodes = await client.GetAsync(new Uri("/nodes", UriKind.Relative), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, dashboard.StatusCode);
        Assert.Equal(HttpStatusCode.Found, nodes.StatusCode);
        Assert.StartsWith("/account/denied", nodes.Headers.Location!.PathAndQuery, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Signing_out_takes_a_form_post_with_its_antiforgery_token()
    {
        await SignIn.SignInAsync(client, SignIn.AdminEmail, SignIn.AdminPassword);
        var dashboard = await client.GetStringAsync(new Uri("/", UriKind.Relative), TestContext.Current.CancellationToken);

        using var forged = new FormUrlEncodedContent(new Dictionary<string, string> { ["returnUrl"] = "/account/login" });
        using var refused = await client.PostAsync(new Uri("/account/logout", UriKind.Relative), forged, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);

        using var form = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = SignIn.AntiforgeryToken(dashboard),
            ["returnUrl"] = "/account/login",
        });
        using var signedOut = await client.PostAsync(new Uri("/account/logout", UriKind.Relative), form, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Redirect, signedOut.StatusCode);
        using var home = await client.GetAsync(new Uri("/", UriKind.Relative), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Found, home.StatusCode);
    }
}
