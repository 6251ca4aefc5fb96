using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using VPNLens.Core.Runs;
using VPNLens.Tests.Infrastructure;

namespace VPNLens.Tests.Web.Callbacks;

[Collection(AppCollection.Name)]
public sealed class CallbacksApiTests : IAsyncLifetime
{
    private readonly VpnLensApp app = new(configureServices: VpnLensApp.WithoutDispatch);
    private HttpClient client = null!;
    private Run run = null!;

    public async ValueTask InitializeAsync()
    {
        client = app.CreateClient();
        run = await SeedRunAsync(RunState.Running);
    }

    public async ValueTask DisposeAsync()
    {
        client.Dispose();
        await app.DisposeAsync();
    }

    [Fact]
    public async Task A_signed_phase_event_is_stored()
    {
        using var response = await client.SendAsync(SignedCallbacks.Request(run.Id, "phases", run.CallbackSecret, SignedCallbacks.Phase(detail: "812 Mbit/s")), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var stored = await app.WithDbAsync(db => db.PhaseEvents.SingleAsync(e => e.RunId == run.Id));
        Assert.Equal(("wireguard", "tcp_upload", "812 Mbit/s"), (stored.Protocol, stored.Phase, stored.Detail));
        Assert.Equal(1500, stored.Duration.TotalMilliseconds);
    }

    [Fact]
    public async Task The_same_webhook_id_twice_is_applied_once()
    {
        using var first = await client.SendAsync(SignedCallbacks.Request(run.Id, "phases", run.CallbackSecret, SignedCallbacks.Phase(), "msg_fixed_1"), TestContext.Current.CancellationToken);
        using var again = await client.SendAsync(SignedCallbacks.Request(run.Id, "phases", run.CallbackSecret, SignedCallbacks.Phase(), "msg_fixed_1"), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Contains("duplicate", await again.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
        Assert.Equal(1, await app.WithDbAsync(db => db.PhaseEvents.CountAsync(e => e.RunId == run.Id)));
    }

    [Fact]
    public async Task A_wrong_signature_is_refused_and_nothing_is_stored()
    {
        var otherSecret = VPNLens.Core.Webhooks.WebhookSecret.Generate();
        using var response = await client.SendAsync(SignedCallbacks.Request(run.Id, "phases", otherSecret, SignedCallbacks.Phase()), TestContext.Current.CancellationToken);

        await AssertProblemAsync(response, HttpStatusCode.Unauthorized);
        Assert.Equal(0, await app.WithDbAsync(db => db.PhaseEvents.CountAsync()));
    }

    [Fact]
    public async Task A_callback_without_signature_headers_is_refused()
    {
        using var content = new StringContent(SignedCallbacks.Phase(), System.Text.Encoding.UTF8, "application/json");
        using var response = await client.PostAsync($"/api/runs/{run.Id}/phases", content, TestContext.Current.CancellationToken);
        await AssertProblemAsync(response, HttpStatusCode.Unauthorized);
    }

    [Theory]
    [InlineData(-6)]
    [InlineData(6)]
    public async Task A_timestamp_more_than_five_minutes_off_is_refused(int minutes)
    {
        using var response = await client.SendAsync(SignedCallbacks.Request(run.Id, "phases", run.CallbackSecret, SignedCallbacks.Phase(), at: DateTimeOffset.UtcNow.AddMinutes(minutes)), TestContext.Current.CancellationToken);
        await AssertProblemAsync(response, HttpStatusCode.Unauthorized);
        Assert.Equal(0, await app.WithDbAsync(db => db.PhaseEvents.CountAsync()));
    }

    [Theory]
    [InlineData("{\"protocol\":\"wireguard\",")]
    [InlineData("not json at all")]
    [InlineData("{\"protocol\":\"openvpn\",\"phase\":\"udp\",\"status\":\"succeeded\",\"startedAt\":\"2026-11-25T08:00:00Z\",\"endedAt\":\"2026-11-25T08:00:01Z\"}")]
    public async Task Malformed_phase_events_get_400_and_nothing_is_stored(string body)
    {
        using var response = await client.SendAsync(SignedCallbacks.Request(run.Id, "phases", run.CallbackSecret, body), TestContext.Current.CancellationToken);
        await AssertProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal(0, await app.WithDbAsync(db => db.PhaseEvents.CountAsync()));
    }

    [Fact]
    public async Task A_callback_for_an_unknown_run_gets_404()
    {
        using var response = await client.SendAsync(SignedCallbacks.Request(Guid.NewGuid(), "phases", run.CallbackSecret, SignedCallbacks.Phase()), TestContext.Current.CancellationToken);
        await AssertProblemAsync(response, HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task An_oversized_body_gets_413()
    {
        var huge = "{\"detail\":\"" + new string('x', 2 * 1024 * 1024) + "\"}";
        using var response = await client.SendAsync(SignedCallbacks.Request(run.Id, "results", run.CallbackSecret, huge), TestContext.Current.CancellationToken);
        await AssertProblemAsync(response, HttpStatusCode.RequestEntityTooLarge);
        Assert.Equal(RunState.Running, await StateAsync(run.Id));
    }

    [Fact]
    public async Task Results_finish_the_run_and_store_each_protocol()
    {
        using var response = await client.SendAsync(SignedCallbacks.Request(run.Id, "results", run.CallbackSecret, SignedCallbacks.Results(), "msg_results"), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var stored = await app.WithDbAsync(db => db.Runs.SingleAsync(r => r.Id == run.Id));
        Assert.Equal(RunState.Completed, stored.State);
        Assert.Equal("1 of 3 protocols failed: nebula / rung_ping: no reply from 198.19.2.1 within 30 s", stored.FailureReason);
        Assert.NotNull(stored.FinishedAt);
        var rows = await app.WithDbAsync(db => db.ProtocolResults.Where(r => r.RunId == run.Id).OrderBy(r => r.Protocol).ToListAsync());
        Assert.Equal(["direct", "nebula", "wireguard"], rows.Select(r => r.Protocol));
        Assert.Equal(900e6, rows.Single(r => r.Protocol == "wireguard").UploadMedianBitsPerSecond);
        Assert.Equal("rung_ping", rows.Single(r => r.Protocol == "nebula").ErrorPhase);
        Assert.All(rows, r => Assert.Equal((run.NodeId, stored.FinishedAt!.Value), (r.NodeId, r.FinishedAt)));

        using var redelivered = await client.SendAsync(SignedCallbacks.Request(run.Id, "results", run.CallbackSecret, SignedCallbacks.Results(), "msg_results"), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, redelivered.StatusCode);
        Assert.Equal(3, await app.WithDbAsync(db => db.ProtocolResults.CountAsync(r => r.RunId == run.Id)));

        using var api = app.CreateApiClient();
        var shown = await api.GetFromJsonAsync<JsonElement>($"/api/runs/{run.Id}", TestContext.Current.CancellationToken);
        Assert.Equal("Completed", shown.GetProperty("status").GetString());
        Assert.StartsWith("1 of 3 protocols failed", shown.GetProperty("failureReason").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Results_for_protocols_the_run_does_not_measure_get_400()
    {
        var body = SignedCallbacks.Results().Replace("\"nebula\"", "\"openvpn\"", StringComparison.Ordinal);
        using var response = await client.SendAsync(SignedCallbacks.Request(run.Id, "results", run.CallbackSecret, body), TestContext.Current.CancellationToken);
        await AssertProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal(RunState.Running, await StateAsync(run.Id));
    }

    [Fact]
    public async Task A_failed_run_report_fails_the_run_with_the_nodes_reason()
    {
        const string body = """{"status":"failed","error":{"protocol":"wireguard","phase":"bring_up","message":"wg-quick is not installed"},"protocols":[]}""";
        using var response = await client.SendAsync(SignedCallbacks.Request(run.Id, "results", run.CallbackSecret, body), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var stored = await app.WithDbAsync(db => db.Runs.SingleAsync(r => r.Id == run.Id));
        Assert.Equal(RunState.Failed, stored.State);
        Assert.Equal("wireguard / bring_up: wg-quick is not installed", stored.FailureReason);
    }

    [Theory]
    [InlineData(RunState.TimedOut)]
    [InlineData(RunState.Cancelled)]
    [InlineData(RunState.Queued)]
    public async Task Callbacks_for_a_run_that_is_not_running_get_409_and_change_nothing(RunState state)
    {
        var other = await SeedRunAsync(state);

        using var phase = await client.SendAsync(SignedCallbacks.Request(other.Id, "phases", other.CallbackSecret, SignedCallbacks.Phase()), TestContext.Current.CancellationToken);
        using var results = await client.SendAsync(SignedCallbacks.Request(other.Id, "results", other.CallbackSecret, SignedCallbacks.Results()), TestContext.Current.CancellationToken);

        await AssertProblemAsync(phase, HttpStatusCode.Conflict);
        await AssertProblemAsync(results, HttpStatusCode.Conflict);
        Assert.Equal(state, await StateAsync(other.Id));
        Assert.Equal(0, await app.WithDbAsync(db => db.ProtocolResults.CountAsync(r => r.RunId == other.Id)));
        Assert.Equal(0, await app.WithDbAsync(db => db.WebhookDeliveries.CountAsync(d => d.RunId == other.Id)));
    }

    [Fact]
    public async Task Many_concurrent_callbacks_are_all_stored_without_locking_errors()
    {
        const int count = 200;
        using var gate = new SemaphoreSlim(16);
        var statuses = await Task.WhenAll(Enumerable.Range(0, count).Select(async i =>
        {
            await gate.WaitAsync(TestContext.Current.CancellationToken);
            try
            {
                using var response = await client.SendAsync(SignedCallbacks.Request(run.Id, "phases", run.CallbackSecret, SignedCallbacks.Phase(detail: $"n{i}")), TestContext.Current.CancellationToken);
                return response.StatusCode;
            }
            finally
            {
                gate.Release();
            }
        }));

        Assert.All(statuses, s => Assert.Equal(HttpStatusCode.OK, s));
        Assert.Equal(count, await app.WithDbAsync(db => db.PhaseEvents.CountAsync(e => e.RunId == run.Id)));
    }

    [Fact]
    public async Task A_signed_results_body_with_invalid_utf8_in_environment_gets_400_and_changes_nothing()
    {
        var text = SignedCallbacks.Results().Replace("\"vl-node1\"", "\"vl-node1-@\"", StringComparison.Ordinal);
        var bytes = System.Text.Encoding.UTF8.GetBytes(text);
        var at = Array.IndexOf(bytes, (byte)'@');
        bytes[at] = 0xC3; // a lead byte whose continuation is missing: "-\"" follows
        Assert.Contains("\"environment\"", text, StringComparison.Ordinal);

        using var response = await client.SendAsync(SignedCallbacks.Request(run.Id, "results", run.CallbackSecret, bytes), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        Assert.Contains("UTF-8", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        var stored = await app.WithDbAsync(db => db.Runs.SingleAsync(r => r.Id == run.Id));
        Assert.Equal((RunState.Running, (string?)null), (stored.State, stored.ResultsJson));
    }

    [Fact]
    public async Task The_run_api_never_shows_the_callback_secret()
    {
        using var api = app.CreateApiClient();
        var json = await api.GetStringAsync($"/api/runs/{run.Id}", TestContext.Current.CancellationToken);
        Assert.DoesNotContain(run.CallbackSecret, json, StringComparison.Ordinal);
        Assert.DoesNotContain("whsec_", json, StringComparison.Ordinal);
    }

    private async Task<Run> SeedRunAsync(RunState state)
    {
        var node = Seed.Node(name: $"node-{Guid.NewGuid():N}");
        var seeded = Seed.Run(node.Id, state);
        await app.WithDbAsync(async db =>
        {
            db.Nodes.Add(node);
            db.Runs.Add(seeded);

            // A queued run stays queued only while something else holds its node.
            db.RunLeases.Add(new RunLease { Resource = $"node:{node.Id}", RunId = Guid.NewGuid(), ExpiresAt = DateTimeOffset.MaxValue });
            await db.SaveChangesAsync();
        });
        return seeded;
    }

    private Task<RunState> StateAsync(Guid id) => app.WithDbAsync(db => db.Runs.Where(r => r.Id == id).Select(r => r.State).SingleAsync());

    private static async Task AssertProblemAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        Assert.Equal(expected, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("detail").GetString()));
    }
}
