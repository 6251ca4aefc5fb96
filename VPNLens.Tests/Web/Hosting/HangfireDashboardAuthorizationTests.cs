using System.Net;
using VPNLens.Tests.Infrastructure;

namespace VPNLens.Tests.Web.Hosting;

/// <summary>
/// Hangfire's default dashboard filter admits any request that looks local, and behind a reverse proxy on the same host
/// every request looks local. The app is on Kestrel here, so every request really comes from 127.0.0.1, and 127.0.0.1 is
/// also the trusted proxy (ForwardedHeaders:KnownProxies), so X-Forwarded-For is honoured as it is behind Caddy.
/// </summary>
[Collection(AppCollection.Name)]
public sealed class HangfireDashboardAuthorizationTests : IAsyncLifetime
{
    private VpnLensApp app = null!;
    private Uri baseAddress = null!;

    public static TheoryData<string> Forwarded => new() { string.Empty, "203.0.113.7", "127.0.0.1" };

    public async ValueTask InitializeAsync()
    {
        baseAddress = new Uri($"http://127.0.0.1:{Sshd.FreePort()}");
        app = new VpnLensApp(new Dictionary<string, string?> { ["ForwardedHeaders:KnownProxies:0"] = "127.0.0.1" }, kestrelUrl: baseAddress.ToString());
        app.StartServer();
        await SignIn.CreateUserAsync(app.Services);
    }

    public async ValueTask DisposeAsync() => await app.DisposeAsync();

    [Theory]
    [MemberData(nameof(Forwarded))]
    public async Task A_signed_out_request_is_refused(string forwardedFor)
    {
        using var client = SignIn.CookieClient(baseAddress);

        foreach (var path in new[] { "/hangfire", "/hangfire/jobs/enqueued", "/hangfire/js20.js" })
        {
            using var response = await GetAsync(client, path, forwardedFor);
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        }

        using var post = new HttpRequestMessage(HttpMethod.Post, "/hangfire/stats");
        AddForwarded(post, forwardedFor);
        using var stats = await client.SendAsync(post, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Unauthorized, stats.StatusCode);
    }

    [Theory]
    [MemberData(nameof(Forwarded))]
    public async Task A_signed_in_user_who_is_not_an_admin_is_refused(string forwardedFor)
    {
        using var client = SignIn.CookieClient(baseAddress);
        await SignIn.SignInAsync(client, SignIn.UserEmail, SignIn.UserPassword);

        using var response = await GetAsync(client, "/hangfire", forwardedFor);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Theory]
    [MemberData(nameof(Forwarded))]
    public async Task An_admin_gets_in(string forwardedFor)
    {
        using var client = SignIn.CookieClient(baseAddress);
        await SignIn.SignInAsync(client, SignIn.AdminEmail, SignIn.AdminPassword);

        using var response = await GetAsync(client, "/hangfire", forwardedFor);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("Hangfire Dashboard", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
    }

    private static async Task<HttpResponseMessage> GetAsync(HttpClient client, string path, string forwardedFor)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        AddForwarded(request, forwardedFor);
        return await client.SendAsync(request, TestContext.Current.CancellationToken);
    }

    private static void AddForwarded(HttpRequestMessage request, string forwardedFor)
    {
        if (forwardedFor.Length > 0)
        {
            request.Headers.Add("X-Forwarded-For", forwardedFor);
            request.Headers.Add("X-Forwarded-Proto", "https");
        }
    }
}
