using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace VPNLens.Tests.Web.Headscale;

/// <summary>
/// Headscale's pre-auth key API (v0.26+: users by id) served over HTTP on loopback, keeping keys as Headscale does,
/// with their expiry judged on the test's clock. Headscale itself cannot be installed here.
/// </summary>
public sealed class FakeHeadscale : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly ConcurrentDictionary<string, (string Key, DateTimeOffset Expiration)> keys = new();
    private int next;

    private FakeHeadscale(WebApplication app) => this.app = app;

    public Uri Url { get; private set; } = null!;

    public ConcurrentQueue<string> Requests { get; } = new();

    public int Created => next;

    public static async Task<FakeHeadscale> StartAsync(TimeProvider time)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var fake = new FakeHeadscale(app);
        app.Use(async (context, next) =>
        {
            fake.Requests.Enqueue($"{context.Request.Method} {context.Request.Path}");
            await (context.Request.Headers.Authorization == "Bearer api-secret" ? next(context) : Results.Unauthorized().ExecuteAsync(context));
        });
        app.MapGet("/api/v1/user", (string name) => Results.Json(new { users = name == "vpnlens" ? new[] { new { id = "7", name } } : [] }));
        app.MapPost("/api/v1/preauthkey", async (HttpRequest request) =>
        {
            var body = await JsonSerializer.DeserializeAsync<JsonElement>(request.Body);
            var id = Interlocked.Increment(ref fake.next).ToString(System.Globalization.CultureInfo.InvariantCulture);
            var expiration = body.GetProperty("expiration").GetDateTimeOffset();
            fake.keys[id] = ($"hskey-{id}", expiration);
            return Results.Json(new { preAuthKey = new { id, key = $"hskey-{id}", reusable = true, expiration } });
        });
        app.MapGet("/api/v1/preauthkey", (string user) => Results.Json(new
        {
            preAuthKeys = user == "7"
                ? fake.keys.Select(k => new { id = k.Key, key = k.Value.Key, expiration = k.Value.Expiration, expired = k.Value.Expiration <= time.GetUtcNow() }).ToArray()
                : [],
        }));
        await app.StartAsync();
        fake.Url = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single() + "/");
        return fake;
    }

    /// <summary>What `headscale preauthkeys expire` does: the key stays listed with its expiry set to now.</summary>
    public void Expire(string key, DateTimeOffset now)
    {
        var entry = keys.Single(k => k.Value.Key == key);
        keys[entry.Key] = (key, now);
    }

    public void Delete(string key) => keys.TryRemove(keys.Single(k => k.Value.Key == key).Key, out _);

    public async ValueTask DisposeAsync() => await app.DisposeAsync();
}
