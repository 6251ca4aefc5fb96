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
    public async Task Settings_are_stored_returned_and_changed_and_a_field_left_out_stays_the_default()
    {
        using var client = app.CreateApiClient();
        var ct = TestContext.Current.CancellationToken;
        using var created = await client.PostAsJsonAsync("/api/schedules", new { nodeId, protocols = new[] { "wireguard" }, cron = "0 * * * *", email = "ops@example.com", settings = new { tcpSeconds = 30, repeats = 4 } }, ct);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var location = created.Headers.Location!.ToString();

        var settings = (await client.GetFromJsonAsync<JsonElement>(location, ct)).GetProperty("settings");
        Assert.Equal((30, 4), (settings.GetProperty("tcpSeconds").GetInt32(), settings.GetProperty("repeats").GetInt32()));
        Assert.Equal(JsonValueKind.Null, settings.GetProperty("udpSeconds").ValueKind);

        using var changed = await client.PutAsJsonAsync(location, new { nodeId, protocols = new[] { "wireguard" }, cron = "0 * * * *", email = "ops@example.com", settings = new { pingCount = 50 } }, ct);
        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        settings = (await client.GetFromJsonAsync<JsonElement>(location, ct)).GetProperty("settings");
        Assert.Equal(50, settings.GetProperty("pingCount").GetInt32());
        Assert.Equal(JsonValueKind.Null, settings.GetProperty("tcpSeconds").ValueKind);

        using var cleared = await client.PutAsJsonAsync(location, new { nodeId, protocols = new[] { "wireguard" }, cron = "0 * * * *", email = "ops@example.com" }, ct);
        Assert.Equal(JsonValueKind.Null, (await client.GetFromJsonAsync<JsonElement>(location, ct)).GetProperty("settings").ValueKind);
    }

    [Fact]
    public async Task Bad_settings_are_a_400_naming_each_field_in_the_words_of_a_run_request_and_nothing_is_stored()
    {
        using var client = app.CreateApiClient();
        var ct = TestContext.Current.CancellationToken;
        var settings = new { tcpSeconds = 301, repeats = 0, udpTargetMbps = 0 };

        using var response = await client.PostAsJsonAsync("/api/schedules", new { nodeId, protocols = new[] { "wireguard" }, cron = "0 * * * *", email = "ops@example.com", settings }, ct);
        using var runResponse = await client.PostAsJsonAsync("/api/runs", new { nodeId, protocols = new[] { "wireguard" }, email = "ops@example.com", settings }, ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await response.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("errors");
        var runErrors = (await runResponse.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("errors");
        Assert.Equal(["settings.repeats", "settings.tcpSeconds", "settings.udpTargetMbps"], errors.EnumerateObject().Select(p => p.Name).Order());
        Assert.Equal(runErrors.ToString(), errors.ToString());
        Assert.Equal(0, await app.WithDbAsync(db => Task.FromResult(db.Schedules.Count())));
    }

    [Fact]
    public async Task Bad_settings_in_a_change_keep_the_stored_settings()
    {
        using var client = app.CreateApiClient();
        var ct = TestContext.Current.CancellationToken;
        using var created = await client.PostAsJsonAsync("/api/schedules", new { nodeId, protocols = new[] { "wireguard" }, cron = "0 * * * *", email = "ops@example.com", settings = new { repeats = 4 } }, ct);
        var location = created.Headers.Location!.ToString();

        using var changed = await client.PutAsJsonAsync(location, new { nodeId, protocols = new[] { "wireguard" }, cron = "0 * * * *", email = "ops@example.com", settings = new { repeats = 8, maxRepeats = 5 } }, ct);

        Assert.Equal(HttpStatusCode.BadRequest, changed.StatusCode);
        var errors = (await changed.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("errors");
        Assert.Equal("settings.maxRepeats must be at least settings.repeats (8).", errors.GetProperty("settings.maxRepeats")[0].GetString());
        Assert.Equal(4, (await client.GetFromJsonAsync<JsonElement>(location, ct)).GetProperty("settings").GetProperty("repeats").GetInt32());
    }

    [Fact]
    public async Task Schedules_are_for_admins_only()
    {
        using var anonymous = app.CreateClient();
        using var response = await anonymous.GetAsync("/api/schedules", TestContext.Current.CancellationToken);

        Assert.NotEqual(HttpStatusCode.OK, response.StatusCode);
    }
}
