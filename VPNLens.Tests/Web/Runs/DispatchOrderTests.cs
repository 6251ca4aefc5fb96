using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;
using VPNLens.Core.Runs;
using VPNLens.Tests.Browser;
using VPNLens.Tests.Infrastructure;
using VPNLens.Web.Nodes;

namespace VPNLens.Tests.Web.Runs;

/// <summary>
/// The dispatcher's order and leases on the real app (Hangfire, SQLite), with the node's side played by
/// <see cref="FakeRemoteNodeClient"/> (it records the order runs were started in) and signed results callbacks.
/// </summary>
[Collection(AppCollection.Name)]
public sealed class DispatchOrderTests : IAsyncLifetime
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);

    private readonly FakeTimeProvider clock = new(DateTimeOffset.UtcNow);
    private readonly FakeRemoteNodeClient nodes = new();
    private VpnLensApp app = null!;
    private Guid nodeId;

    public async ValueTask InitializeAsync()
    {
        app = new VpnLensApp(
            new Dictionary<string, string?> { ["Runs:DeadlineCheckInterval"] = "00:00:01", ["Runs:LeaseGrace"] = "00:01:00" },
            services =>
            {
                services.Replace(ServiceDescriptor.Singleton<IRemoteNodeClient>(nodes));
                services.AddSingleton<TimeProvider>(clock);
            });
        var node = Seed.Node();
        nodeId = node.Id;
        await app.WithDbAsync(async db =>
        {
            db.Nodes.Add(node);
            await db.SaveChangesAsync();
        });
    }

    public async ValueTask DisposeAsync()
    {
        if (app is not null)
        {
            await app.DisposeAsync();
        }
    }

    [Fact]
    public async Task Fifty_runs_posted_at_once_on_one_node_get_distinct_positions_and_start_in_that_order()
    {
        using var client = app.CreateApiClient();
        var blocker = await QueueAsync(client);
        await RunWaits.UntilAsync(() => nodes.Started.Count == 1, Limit, "the first run started");

        var answers = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => QueueAsync(client)));

        Assert.Equal(Enumerable.Range(1, 50), answers.Select(a => a.Position).Order());
        var expected = answers.OrderBy(a => a.Position).Select(a => a.Id).ToList();
        var current = blocker.Id;
        for (var i = 0; i < expected.Count; i++)
        {
            await FinishAsync(client, current);
            await RunWaits.UntilAsync(() => nodes.Started.Count == i + 2, Limit, $"run {i + 2} started");
            current = nodes.Started.Last().RunId;
        }

        Assert.Equal(expected, nodes.Started.Skip(1).Select(p => p.RunId));
    }

    [Fact]
    public async Task A_lease_whose_run_never_let_go_is_taken_back_after_it_expires()
    {
        await app.WithDbAsync(async db =>
        {
            db.RunLeases.Add(new RunLease { Resource = $"node:{nodeId}", RunId = Guid.NewGuid(), TakenAt = clock.GetUtcNow(), ExpiresAt = clock.GetUtcNow().AddMinutes(5) });
            await db.SaveChangesAsync();
        });
        using var client = app.CreateApiClient();
        var queued = await QueueAsync(client);
        clock.Advance(TimeSpan.FromMinutes(4));
        await app.DrainDispatchAsync(Limit);

        Assert.Equal(RunState.Queued, (await app.WithDbAsync(db => db.Runs.SingleAsync(r => r.Id == queued.Id))).State);
        Assert.Empty(nodes.Started);

        clock.Advance(TimeSpan.FromMinutes(1) + TimeSpan.FromSeconds(1));
        var limit = DateTime.UtcNow + Limit;
        while (nodes.Started.IsEmpty)
        {
            Assert.True(DateTime.UtcNow < limit, "the run never started after the stale lease expired");
            clock.Advance(TimeSpan.FromSeconds(1));
            await Task.Delay(100, TestContext.Current.CancellationToken);
        }

        Assert.Equal(queued.Id, nodes.Started.Single().RunId);
        Assert.Equal([queued.Id, queued.Id], await app.WithDbAsync(db => db.RunLeases.Select(l => l.RunId).ToListAsync()));
    }

    private async Task<(Guid Id, int Position)> QueueAsync(HttpClient client)
    {
        using var response = await client.PostAsJsonAsync("/api/runs", new { nodeId, protocols = new[] { "wireguard", "nebula" }, email = "ops@example.com" }, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        return (body.GetProperty("id").GetGuid(), body.GetProperty("queuePosition").GetInt32());
    }

    private async Task FinishAsync(HttpClient client, Guid runId)
    {
        var secret = await app.WithDbAsync(db => db.Runs.Where(r => r.Id == runId).Select(r => r.CallbackSecret).SingleAsync());
        await app.WaitForRunAsync(runId, r => r.RemotePid is not null, Limit, "its pid recorded");
        using var results = await client.SendAsync(SignedCallbacks.Request(runId, "results", secret, SignedCallbacks.Results(), at: clock.GetUtcNow()), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, results.StatusCode);
    }
}
