using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using VPNLens.Tests.Infrastructure;
using VPNLens.Web.History;

namespace VPNLens.Tests.Web.History;

/// <summary>
/// The stored days are checked against the runs after the app starts serving, not before: /healthz answers while the
/// check runs, /readyz says it runs (503) and then that it ended (200), and a check that fails leaves the app serving.
/// The check itself is replaced (<see cref="IDailyRollupReconcile"/>) by one the test holds or that fails.
/// </summary>
[Collection(AppCollection.Name)]
public sealed class DailyRollupStartupTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task The_app_serves_while_the_days_are_checked_and_is_ready_once_they_are()
    {
        var ct = TestContext.Current.CancellationToken;
        var check = new HeldCheck();
        await using var app = new VpnLensApp(configureServices: services => services.Replace(ServiceDescriptor.Singleton<IDailyRollupReconcile>(sp =>
        {
            check.Lifetime = sp.GetRequiredService<IHostApplicationLifetime>();
            return check;
        })));
        var start = Task.Run(() => app.CreateClient(), ct);

        var servingWhenItBegan = await check.Began.Task.WaitAsync(ct);
        (HttpStatusCode Status, JsonElement Body)? live = null, ready = null;
        if (servingWhenItBegan)
        {
            var early = await start;
            await HangfireAnnouncedAsync(app);
            live = await GetAsync(early, "/healthz");
            ready = await GetAsync(early, "/readyz");
        }

        check.Release.TrySetResult(3);
        using var client = await start;
        Assert.True(servingWhenItBegan, "the stored days were checked before the app served");
        Assert.Equal(HttpStatusCode.OK, live!.Value.Status);
        Assert.False(live.Value.Body.GetProperty("checks").TryGetProperty(DailyRollupReadiness.Name, out _));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready!.Value.Status);
        Assert.Equal("Unhealthy", Check(ready.Value.Body).GetProperty("status").GetString());
        Assert.Equal("Healthy", ready.Value.Body.GetProperty("checks").GetProperty("database").GetProperty("status").GetString());

        await app.Services.GetRequiredService<DailyRollupReadiness>().Ended.WaitAsync(ct);
        var after = await GetAsync(client, "/readyz");
        Assert.Equal(HttpStatusCode.OK, after.Status);
        Assert.Equal("Healthy", after.Body.GetProperty("status").GetString());
        Assert.Contains("3 day(s) written", Check(after.Body).GetProperty("Description").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_check_that_fails_is_a_warning_and_the_app_serves_on_ready_but_degraded()
    {
        var ct = TestContext.Current.CancellationToken;
        using var log = new FakeLoggerProvider();
        await using var app = new VpnLensApp(configureServices: services =>
        {
            services.Replace(ServiceDescriptor.Singleton<IDailyRollupReconcile>(new FailingCheck()));
            services.AddSingleton<ILoggerProvider>(log);
        });
        using var client = app.CreateClient();

        await app.Services.GetRequiredService<DailyRollupReadiness>().Ended.WaitAsync(ct);
        await HangfireAnnouncedAsync(app);

        Assert.Equal(HttpStatusCode.OK, (await GetAsync(client, "/healthz")).Status);
        var ready = await GetAsync(client, "/readyz");
        Assert.Equal(HttpStatusCode.OK, ready.Status);
        Assert.Equal("Degraded", Check(ready.Body).GetProperty("status").GetString());
        Assert.Contains(FailingCheck.Reason, Check(ready.Body).GetProperty("Description").GetString(), StringComparison.Ordinal);
        var warning = Assert.Single(log.Collector.GetSnapshot(), l => l.Category == typeof(DailyRollupStartup).FullName && l.Level == LogLevel.Warning);
        Assert.IsType<InvalidOperationException>(warning.Exception);
        Assert.StartsWith("Checking the stored days of history failed", warning.Message, StringComparison.Ordinal);
    }

    private static JsonElement Check(JsonElement body) => body.GetProperty("checks").GetProperty(DailyRollupReadiness.Name);

    private static async Task<(HttpStatusCode Status, JsonElement Body)> GetAsync(HttpClient client, string path)
    {
        using var response = await client.GetAsync(new Uri(path, UriKind.Relative), TestContext.Current.CancellationToken);
        return (response.StatusCode, await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken));
    }

    // Hangfire's server says it runs a moment after the app starts; until then /healthz is 503 for a reason of its own.
    private static Task HangfireAnnouncedAsync(VpnLensApp app)
    {
        var monitoring = app.Services.GetRequiredService<Hangfire.JobStorage>().GetMonitoringApi();
        return RunWaits.UntilAsync(() => monitoring.Servers().Count > 0, Limit, "Hangfire's server announced");
    }

    /// <summary>A check that says whether the app was serving when it began, then waits for the test to let it end.</summary>
    private sealed class HeldCheck : IDailyRollupReconcile
    {
        public IHostApplicationLifetime? Lifetime { get; set; }

        public TaskCompletionSource<bool> Began { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource<int> Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task<int> ReconcileAsync(CancellationToken cancellationToken)
        {
            Began.TrySetResult(Lifetime!.ApplicationStarted.IsCancellationRequested);
            return Release.Task.WaitAsync(cancellationToken);
        }
    }

    private sealed class FailingCheck : IDailyRollupReconcile
    {
        public const string Reason = "the series could not be read";

        public Task<int> ReconcileAsync(CancellationToken cancellationToken) => Task.FromException<int>(new InvalidOperationException(Reason));
    }
}
