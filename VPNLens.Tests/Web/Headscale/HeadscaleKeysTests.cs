using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using VPNLens.Web.Headscale;

namespace VPNLens.Tests.Web.Headscale;

/// <summary>
/// Headscale cannot be installed here, so these check the requests against Headscale's documented
/// REST API (v0.26+: users by id) with a recording handler; no real Headscale answered them.
/// </summary>
public sealed class HeadscaleKeysTests
{
    [Fact]
    public async Task A_configured_key_is_used_without_asking_headscale()
    {
        var handler = new RecordingHandler(_ => throw new InvalidOperationException("no request expected"));
        var keys = Keys(handler, new HeadscaleOptions { PreAuthKey = "hskey-given" });
        Assert.Equal("hskey-given", await keys.PreAuthKeyAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task A_reusable_key_is_created_once_for_the_named_users_id()
    {
        var handler = new RecordingHandler(request => request.RequestUri!.AbsolutePath switch
        {
            "/api/v1/user" => Json("""{"users":[{"id":"7","name":"vpnlens"}]}"""),
            "/api/v1/preauthkey" when request.Method == HttpMethod.Post => Json("""{"preAuthKey":{"id":"3","key":"hskey-created","reusable":true}}"""),
            "/api/v1/preauthkey" => Json("""{"preAuthKeys":[{"id":"3","key":"hskey-created","expiration":"2099-01-01T00:00:00Z"}]}"""),
            _ => new HttpResponseMessage(HttpStatusCode.NotFound),
        });
        var keys = Keys(handler, new HeadscaleOptions { Url = new Uri("http://127.0.0.1:9/"), ApiKey = "api-secret", User = "vpnlens" });

        Assert.Equal("hskey-created", await keys.PreAuthKeyAsync(TestContext.Current.CancellationToken));
        Assert.Equal("hskey-created", await keys.PreAuthKeyAsync(TestContext.Current.CancellationToken));

        Assert.Equal(["/api/v1/user", "/api/v1/preauthkey", "/api/v1/preauthkey"], handler.Requests.Select(r => r.Path));
        Assert.All(handler.Requests, r => Assert.Equal("Bearer api-secret", r.Authorization));
        using var body = JsonDocument.Parse(handler.Requests[1].Body!);
        Assert.Equal("7", body.RootElement.GetProperty("user").GetString());
        Assert.True(body.RootElement.GetProperty("reusable").GetBoolean());
    }

    [Fact]
    public async Task Without_settings_the_error_says_what_to_configure()
    {
        var keys = Keys(new RecordingHandler(_ => throw new InvalidOperationException()), new HeadscaleOptions());
        var error = await Assert.ThrowsAsync<HeadscaleUnavailableException>(() => keys.PreAuthKeyAsync(TestContext.Current.CancellationToken));
        Assert.Contains("Headscale__PreAuthKey", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_user_is_named_in_the_error()
    {
        var handler = new RecordingHandler(_ => Json("""{"users":[]}"""));
        var keys = Keys(handler, new HeadscaleOptions { Url = new Uri("http://127.0.0.1:9/"), ApiKey = "k", User = "bench" });
        var error = await Assert.ThrowsAsync<HeadscaleUnavailableException>(() => keys.PreAuthKeyAsync(TestContext.Current.CancellationToken));
        Assert.Contains("headscale users create bench", error.Message, StringComparison.Ordinal);
    }

    private static HeadscaleKeys Keys(RecordingHandler handler, HeadscaleOptions options) =>
        new(new SingleClientFactory(handler), Options.Create(options), new FakeTimeProvider());

    private static HttpResponseMessage Json(string body) => new(HttpStatusCode.OK) { Content = new StringContent(body, Encoding.UTF8, "application/json") };

    private sealed record Recorded(string Path, string? Authorization, string? Body);

    private sealed class RecordingHandler(Func<HttpRequestMessage, HttpResponseMessage> answer) : HttpMessageHandler
    {
        public List<Recorded> Requests { get; } = [];

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var body = request.Content is null ? null : await request.Content.ReadAsStringAsync(cancellationToken);
            Requests.Add(new Recorded(request.RequestUri!.AbsolutePath, request.Headers.Authorization?.ToString(), body));
            return answer(request);
        }
    }

    private sealed class SingleClientFactory(HttpMessageHandler handler) : IHttpClientFactory
    {
        public HttpClient CreateClient(string name) => new(handler, disposeHandler: false);
    }
}
