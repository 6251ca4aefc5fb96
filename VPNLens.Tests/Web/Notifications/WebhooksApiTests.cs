using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Time.Testing;
using VPNLens.Core.Webhooks;
using VPNLens.Tests.Infrastructure;
using VPNLens.Web.Notifications;

namespace VPNLens.Tests.Web.Notifications;

[Collection(AppCollection.Name)]
public sealed class WebhooksApiTests : IAsyncDisposable
{
    private readonly FakeTimeProvider time = new(NotificationApp.Start);
    private readonly RecordingJobClient jobs = new();
    private readonly VpnLensApp app;

    public WebhooksApiTests() => app = NotificationApp.Create(time, jobs);

    public ValueTask DisposeAsync() => app.DisposeAsync();

    [Theory]
    [InlineData("ntfy", "ftp://example.com/hook", "url")]
    [InlineData("ntfy", "/relative", "url")]
    [InlineData("ntfy", "", "url")]
    [InlineData(" ", "https://example.com/hook", "name")]
    public async Task A_bad_field_is_a_400_naming_it_and_nothing_is_stored(string name, string url, string field)
    {
        using var client = app.CreateApiClient();
        using var response = await client.PostAsJsonAsync("/api/webhooks", new { name, url }, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken)).GetProperty("errors");
        Assert.Equal([field], errors.EnumerateObject().Select(p => p.Name));
        Assert.Equal(0, await app.WithDbAsync(db => db.WebhookEndpoints.CountAsync()));
    }

    [Fact]
    public async Task Unknown_endpoints_are_404s()
    {
        using var client = app.CreateApiClient();
        var ct = TestContext.Current.CancellationToken;
        var id = Guid.NewGuid();

        using var deleted = await client.DeleteAsync($"/api/webhooks/{id}", ct);
        using var tested = await client.PostAsync($"/api/webhooks/{id}/test", null, ct);
        using var deliveries = await client.GetAsync($"/api/webhooks/{id}/deliveries", ct);

        Assert.Equal([HttpStatusCode.NotFound, HttpStatusCode.NotFound, HttpStatusCode.NotFound], new[] { deleted.StatusCode, tested.StatusCode, deliveries.StatusCode });
        Assert.Equal(0, jobs.Count<WebhookDeliveryJob>());
    }

    [Fact]
    public async Task Webhooks_are_for_admins_only()
    {
        using var anonymous = app.CreateClient();
        using var response = await anonymous.GetAsync("/api/webhooks", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task The_secret_is_shown_once_and_stored_protected()
    {
        using var client = app.CreateApiClient();
        var ct = TestContext.Current.CancellationToken;
        using var created = await client.PostAsJsonAsync("/api/webhooks", new { name = "ntfy", url = "https://ntfy.example.com/vpnlens" }, ct);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var secret = (await created.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("secret").GetString()!;
        Assert.StartsWith(WebhookSecret.Prefix, secret, StringComparison.Ordinal);

        var listed = await client.GetStringAsync("/api/webhooks", ct);
        Assert.Contains("ntfy.example.com", listed, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, listed, StringComparison.Ordinal);
        Assert.DoesNotContain("secret", listed, StringComparison.OrdinalIgnoreCase);
        var stored = await app.WithDbAsync(db => db.Database.SqlQueryRaw<string>("SELECT \"Secret\" AS \"Value\" FROM \"WebhookEndpoints\"").SingleAsync(ct));
        Assert.NotEqual(secret, stored);
        Assert.Equal(secret, (await app.WithDbAsync(db => db.WebhookEndpoints.SingleAsync(ct))).Secret);
    }

    [Fact]
    public async Task Send_test_delivers_a_signed_test_message_and_logs_it_then_delete_removes_the_endpoint()
    {
        using var receiver = new WebhookReceiver();
        using var client = app.CreateApiClient();
        var ct = TestContext.Current.CancellationToken;
        using var created = await client.PostAsJsonAsync("/api/webhooks", new { name = "receiver", url = receiver.Url }, ct);
        var body = await created.Content.ReadFromJsonAsync<JsonElement>(ct);
        var location = created.Headers.Location!.ToString();

        using var tested = await client.PostAsync(location + "/test", null, ct);
        Assert.Equal(HttpStatusCode.Accepted, tested.StatusCode);
        var messageId = (await tested.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("messageId").GetString();
        Assert.Equal(1, await app.RunJobsAsync<WebhookDeliveryJob>(jobs));

        var request = Assert.Single(receiver.Requests);
        Assert.Equal(messageId, request.Id);
        Assert.Equal(WebhookVerification.Valid, request.Verify(body.GetProperty("secret").GetString()!, time.GetUtcNow()));
        Assert.Equal("test", request.Json.GetProperty("type").GetString());
        var deliveries = await client.GetFromJsonAsync<JsonElement>(location + "/deliveries", ct);
        var attempt = Assert.Single(deliveries.EnumerateArray());
        Assert.Equal(200, attempt.GetProperty("statusCode").GetInt32());
        Assert.Equal(messageId, attempt.GetProperty("messageId").GetString());

        using var deleted = await client.DeleteAsync(location, ct);
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Equal(0, await app.WithDbAsync(db => db.WebhookAttempts.CountAsync(ct)));
    }

    [Fact]
    public async Task The_delivery_log_keeps_the_latest_attempts_of_each_endpoint()
    {
        using var receiver = new WebhookReceiver();
        await using var small = NotificationApp.Create(time, jobs, new Dictionary<string, string?> { ["Webhooks:KeepAttempts"] = "3" });
        using var client = small.CreateApiClient();
        var ct = TestContext.Current.CancellationToken;
        using var created = await client.PostAsJsonAsync("/api/webhooks", new { name = "receiver", url = receiver.Url }, ct);
        var location = created.Headers.Location!.ToString();
        var sent = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            using var tested = await client.PostAsync(location + "/test", null, ct);
            sent.Add((await tested.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("messageId").GetString()!);
        }

        await small.RunJobsAsync<WebhookDeliveryJob>(jobs);

        var deliveries = await client.GetFromJsonAsync<JsonElement>(location + "/deliveries", ct);
        Assert.Equal(sent[^3..].AsEnumerable().Reverse(), deliveries.EnumerateArray().Select(d => d.GetProperty("messageId").GetString()));
    }
}
