using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using VPNLens.Web.Headscale;

namespace VPNLens.Tests.Web.Headscale;

public sealed class HeadscaleKeyRenewalTests : IAsyncLifetime
{
    private readonly FakeTimeProvider time = new(DateTimeOffset.Parse("2026-12-05T08:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
    private readonly ServiceHttpClients http = new();
    private FakeHeadscale headscale = null!;
    private HeadscaleKeys keys = null!;

    public async ValueTask InitializeAsync()
    {
        headscale = await FakeHeadscale.StartAsync(time);
        keys = new HeadscaleKeys(http, Options.Create(new HeadscaleOptions { Url = headscale.Url, ApiKey = "api-secret", User = "vpnlens" }), time);
    }

    public async ValueTask DisposeAsync()
    {
        keys.Dispose();
        http.Dispose();
        await headscale.DisposeAsync();
    }

    [Fact]
    public async Task A_valid_key_is_reused_and_checked_with_headscale_each_time()
    {
        Assert.Equal("hskey-1", await KeyAsync());
        time.Advance(TimeSpan.FromDays(30));
        Assert.Equal("hskey-1", await KeyAsync());

        Assert.Equal(1, headscale.Created);
        Assert.Equal(["GET /api/v1/user", "POST /api/v1/preauthkey", "GET /api/v1/preauthkey"], headscale.Requests);
    }

    [Fact]
    public async Task The_key_is_renewed_before_it_expires()
    {
        Assert.Equal("hskey-1", await KeyAsync());

        time.Advance(HeadscaleKeys.Lifetime - HeadscaleKeys.RenewBefore - TimeSpan.FromMinutes(1));
        Assert.Equal("hskey-1", await KeyAsync());

        time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal("hskey-2", await KeyAsync());
        Assert.Equal("hskey-2", await KeyAsync());
    }

    [Fact]
    public async Task A_key_headscale_expired_is_replaced()
    {
        Assert.Equal("hskey-1", await KeyAsync());
        headscale.Expire("hskey-1", time.GetUtcNow());

        Assert.Equal("hskey-2", await KeyAsync());
    }

    [Fact]
    public async Task A_key_headscale_no_longer_lists_is_replaced()
    {
        Assert.Equal("hskey-1", await KeyAsync());
        headscale.Delete("hskey-1");

        Assert.Equal("hskey-2", await KeyAsync());
    }

    private Task<string> KeyAsync() => keys.PreAuthKeyAsync(TestContext.Current.CancellationToken);

    private sealed class ServiceHttpClients : IHttpClientFactory, IDisposable
    {
        private readonly SocketsHttpHandler handler = new();

        public HttpClient CreateClient(string name) => new(handler, disposeHandler: false);

        public void Dispose() => handler.Dispose();
    }
}
