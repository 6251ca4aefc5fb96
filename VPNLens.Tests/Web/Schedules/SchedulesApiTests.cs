using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using VPNLens.Tests.Infrastructure;

namespace VPNLens.Tests.Web.Schedules;

[Collection(AppCollection.Name)]
public sealed class SchedulesApiTests : IAsyncLifetime
{
    private readonly FakeTimeProvider time = new(ScheduleAppTests.Start);
    private readonly VpnLensApp app;
    private Guid nodeId;

    public SchedulesApiTests() => app = ScheduleAppTests.Create(time);

    public async ValueTask InitializeAsync()
    {
        var node = Seed.Node();
        nodeId = node.Id;
        await app.WithDbAsync(async db =>
        {
            db.Nodes.Add(node);
            await db.SaveChangesAsync();
        });
    }

    public ValueTask DisposeAsync() => app.DisposeAsync();

    [Fact]
    public async Task A_bad_cron_is_a_400_naming_cron_with_the_reason()
    {
        using var client = app.CreateApiClient();
        using var response = await client.PostAsJsonAsync("/api/schedules", new { nodeId, protocols = new[] { "wireguard" }, cron = "61 * * * *", email = "ops@example.com" }, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        var reason = body.GetProperty("errors").GetProperty("cron")[0].GetString();
        Assert.Contains("61 * * * *", reason, StringComparison.Ordinal);
        Assert.Equal(0, await app.WithDbAsync(db => Task.FromResult(db.Schedules.Count())));
    }

    [Fact]
    public async Task Every_bad_field_is_named()
    {
        using var client = app.CreateApiClient();
        using var response = await client.PostAsJsonAsync("/api/schedules", new { nodeId = Guid.NewGuid(), protocols = new[] { "pptp" }, cron = "0 * * * *", email = "x", timeZone = "Mars/Olympus", alertM = 4, alertN = 3 }, TestContext.Current.CancellationToken);

        var errors = (await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken)).GetProperty("errors");
        Assert.Equal(["alertM", "email", "nodeId", "protocols", "timeZone"], errors.EnumerateObject().Select(p => p.Name).Order());
    }

    [Fact]
    public async Task A_schedule_is_created_previewed_paused_resumed_and_deleted()
    {
        using var client = app.CreateApiClient();
        var ct = TestContext.Current.CancellationToken;
        using var created = await client.PostAsJsonAsync("/api/schedules", new { nodeId, protocols = new[] { "wireguard" }, cron = "0 * * * *", email = "ops@example.com" }, ct);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var body = await created.Content.ReadFromJsonAsync<JsonElement>(ct);
        Assert.Equal(new DateTimeOffset(2026, 12, 5, 13, 0, 0, TimeSpan.Zero), body.GetProperty("nextRunAt").GetDateTimeOffset());
        var location = created.Headers.Location!.ToString();

        using var paused = await client.PostAsync(location + "/pause", null, ct);
        var pausedBody = await paused.Content.ReadFromJsonAsync<JsonElement>(ct);
        Assert.True(pausedBody.GetProperty("paused").GetBoolean());
        Assert.Equal(JsonValueKind.Null, pausedBody.GetProperty("nextRunAt").ValueKind);

        using var resumed = await client.PostAsync(location + "/resume", null, ct);
        Assert.False((await resumed.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("paused").GetBoolean());

        using var deleted = await client.DeleteAsync(location, ct);
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        using var gone = await client.GetAsync(location, ct);
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
    }

    [Fact]
    public async Task Schedules_are_for_admins_only()
    {
        using var anonymous = app.CreateClient();
        using var response = await anonymous.GetAsync("/api/schedules", TestContext.Current.CancellationToken);

        Assert.NotEqual(HttpStatusCode.OK, response.StatusCode);
    }
}
