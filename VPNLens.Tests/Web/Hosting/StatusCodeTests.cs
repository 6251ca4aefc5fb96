using System.Net;
using System.Net.Http.Headers;
using VPNLens.Core.Runs;
using VPNLens.Tests.Infrastructure;

namespace VPNLens.Tests.Web.Hosting;

/// <summary>
/// The status code says what happened: what does not exist is a 404, with a page a person can read for a browser
/// and problem details for an API client; a signed-out browser that asks for an admin page is sent to sign in.
/// </summary>
[Collection(AppCollection.Name)]
public sealed class StatusCodeTests : IAsyncLifetime
{
    private const string BrowserAccept = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";

    private VpnLensApp app = null!;
    private Uri baseAddress = null!;

    public static TheoryData<string> UnknownPermalinks => new()
    {
        "/r/no-such-token",
        "/r/..%2f..%2fetc%2fpasswd",
        "/r/" + new string('a', 65),
        "/r/" + new string('x', 4000),
        "/r/a.b",
    };

    public ValueTask InitializeAsync()
    {
        baseAddress = new Uri($"http://127.0.0.1:{Sshd.FreePort()}");
        app = new VpnLensApp(kestrelUrl: baseAddress.ToString());
        app.StartServer();
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync() => await app.DisposeAsync();

    [Theory]
    [MemberData(nameof(UnknownPermalinks))]
    public async Task An_unknown_malformed_or_oversized_permalink_is_a_404_with_the_friendly_page(string path)
    {
        using var client = SignIn.CookieClient(baseAddress);

        using var response = await GetAsync(client, path, BrowserAccept);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        var html = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.Contains("No run has this permalink", html, StringComparison.Ordinal);
        Assert.DoesNotContain("root:", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_run_is_a_404_with_the_friendly_page()
    {
        using var client = SignIn.CookieClient(baseAddress);
        await SignIn.SignInAsync(client, SignIn.AdminEmail, SignIn.AdminPassword);

        using var response = await GetAsync(client, $"/runs/{Guid.NewGuid()}", BrowserAccept);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("There is no run", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_known_permalink_is_still_a_200()
    {
        var node = Seed.Node("node 1");
        var run = Seed.Run(node.Id, RunState.Running);
        await app.WithDbAsync(async db =>
        {
            db.AddRange(node, run);
            await db.SaveChangesAsync();
        });
        using var client = SignIn.CookieClient(baseAddress);

        using var response = await GetAsync(client, $"/r/{run.PublicToken}", BrowserAccept);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Theory]
    [InlineData("/no-such-page")]
    [InlineData("/runs/not-a-guid")]
    [InlineData("/r/token/no-such-download")]
    public async Task An_unknown_path_gives_a_browser_an_html_404_page(string path)
    {
        using var client = SignIn.CookieClient(baseAddress);

        using var response = await GetAsync(client, path, BrowserAccept);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        var html = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.Contains("data-testid=\"status-page\"", html, StringComparison.Ordinal);
        Assert.Contains("<h1", html, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/api/no-such-endpoint", BrowserAccept)]
    [InlineData("/api/no-such-endpoint", "application/json")]
    [InlineData("/no-such-page", "application/json")]
    [InlineData("/no-such-page", null)]
    public async Task An_unknown_path_gives_an_api_client_problem_details(string path, string? accept)
    {
        using var client = SignIn.CookieClient(baseAddress);

        using var response = await GetAsync(client, path, accept);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("\"status\":404", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/hangfire")]
    [InlineData("/hangfire/jobs/enqueued")]
    public async Task A_signed_out_browser_on_the_jobs_dashboard_is_sent_to_sign_in(string path)
    {
        using var client = SignIn.CookieClient(baseAddress);

        using var response = await GetAsync(client, path, BrowserAccept);

        Assert.Equal(HttpStatusCode.Found, response.StatusCode);
        Assert.Equal("/account/login", response.Headers.Location?.AbsolutePath);
        Assert.Contains("ReturnUrl=" + Uri.EscapeDataString(path), response.Headers.Location?.Query, StringComparison.OrdinalIgnoreCase);
    }

    private static async Task<HttpResponseMessage> GetAsync(HttpClient client, string path, string? accept)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(path, UriKind.Relative));
        if (accept is not null)
        {
            request.Headers.Accept.ParseAdd(accept);
        }

        return await client.SendAsync(request, TestContext.Current.CancellationToken);
    }
}
