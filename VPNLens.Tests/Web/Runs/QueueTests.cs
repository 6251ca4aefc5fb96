using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using VPNLens.Core.Runs;
using VPNLens.Tests.Infrastructure;

namespace VPNLens.Tests.Web.Runs;

/// <summary>
/// The queue for real: Hangfire on SQLite, SSH.NET to real sshds, and a node script that hangs. The app's clock is a
/// FakeTimeProvider: deadlines pass when the test moves it, and the reaper's rounds are its ticks.
/// </summary>
[Collection(AppCollection.Name)]
public sealed class QueueTests : IAsyncLifetime
{
    private static readonly TimeSpan Deadline = TimeSpan.FromMinutes(10);
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);

    private readonly FakeTimeProvider clock = new(DateTimeOffset.UtcNow);
    private Sshd sshd = null!;
    private string scripts = null!;
    private VpnLensApp app = null!;
    private Guid nodeId;

    public async ValueTask InitializeAsync()
    {
        Assert.SkipUnless(ProcessRunner.IsRoot, "Starting sshd for any user needs root; the README's test command runs as root.");
        sshd = await Sshd.StartAsync();
        scripts = StubScripts.Create();
        app = StartApp(scripts);
        nodeId = await AddNodeAsync(sshd, "node1", "control-plane");
    }

    public async ValueTask DisposeAsync()
    {
        if (app is not null)
        {
            await app.DisposeAsync();
        }

        if (sshd is not null)
        {
            await sshd.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_run_without_results_times_out_when_its_deadline_passes_its_script_is_stopped_and_a_late_callback_gets_409()
    {
        using var client = app.CreateApiClient();
        var id = await QueueAsync(client, nodeId);
        await app.WaitForRunAsync(id, r => r.RemotePid is not null, Limit, "run.sh started");

        clock.Advance(Deadline - TimeSpan.FromSeconds(1));
        var before = await TickUntilAsync(id, _ => true);
        Assert.Equal(RunState.Running, before.State);

        clock.Advance(TimeSpan.FromSeconds(2));
        var run = await TickUntilAsync(id, r => r.State.IsTerminal() && !r.RemoteStopPending);

        Assert.Equal(RunState.TimedOut, run.State);
        Assert.Contains("deadline", run.FailureReason, StringComparison.Ordinal);
        Assert.False(ProcessRunner.IsAlive(run.RemotePid!.Value), "the hung script must be stopped by its pid");
        Assert.Contains("stop", await File.ReadAllTextAsync(Path.Combine(sshd.Home, "switch.log"), TestContext.Current.CancellationToken), StringComparison.Ordinal);
        Assert.Empty(await app.WithDbAsync(db => db.RunLeases.ToListAsync()));

        using var late = await client.SendAsync(SignedCallbacks.Request(id, "results", run.CallbackSecret, SignedCallbacks.Results(), at: clock.GetUtcNow()), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Conflict, late.StatusCode);
        Assert.Equal(RunState.TimedOut, (await LoadAsync(id)).State);
    }

    [Fact]
    public async Task Results_the_node_kept_but_never_posted_are_fetched_before_the_deadline_times_the_run_out()
    {
        await app.DisposeAsync();
        app = StartApp(StubScripts.Create(keptResults: SignedCallbacks.Results()));
        nodeId = await AddNodeAsync(sshd, "node1", "control-plane");
        using var client = app.CreateApiClient();
        var id = await QueueAsync(client, nodeId);
        await app.WaitForRunAsync(id, r => r.RemotePid is not null, Limit, "run.sh started");

        clock.Advance(Deadline + TimeSpan.FromSeconds(1));
        var run = await TickUntilAsync(id, r => r.State.IsTerminal());

        Assert.Equal(RunState.Completed, run.State);
        Assert.StartsWith("1 of 3 protocols failed", run.FailureReason, StringComparison.Ordinal);
        Assert.NotNull(run.ResultsJson);
        Assert.Equal(3, await app.WithDbAsync(db => db.ProtocolResults.CountAsync(r => r.RunId == id)));
    }

    [Fact]
    public async Task Runs_on_one_node_execute_one_at_a_time_in_the_order_they_were_queued()
    {
        using var client = app.CreateApiClient();
        var first = await QueueAsync(client, nodeId);
        var second = await QueueAsync(client, nodeId);
        await app.WaitForRunAsync(first, r => r.RemotePid is not null, Limit, "the first run started");
        await app.DrainDispatchAsync(Limit);

        Assert.Equal(RunState.Queued, (await LoadAsync(second)).State);

        using var cancel = await client.PostAsync($"/api/runs/{first}/cancel", null, TestContext.Current.CancellationToken);
        var a = await TickUntilAsync(first, r => !r.RemoteStopPending);
        var b = await TickUntilAsync(second, r => r.RemotePid is not null);

        Assert.Equal(RunState.Running, b.State);
        Assert.True(b.StartedAt >= a.FinishedAt, $"the second run started at {b.StartedAt:O}, before the first ended at {a.FinishedAt:O}");
    }

    [Fact]
    public async Task Two_nodes_on_different_endpoints_measure_at_the_same_time()
    {
        await using var other = await Sshd.StartAsync();
        var node2 = await AddNodeAsync(other, "node2", "endpoint-b");
        using var client = app.CreateApiClient();

        var first = await QueueAsync(client, nodeId);
        var second = await QueueAsync(client, node2);

        await app.WaitForRunAsync(first, r => r.RemotePid is not null, Limit, "run.sh started on node1");
        await app.WaitForRunAsync(second, r => r.RemotePid is not null, Limit, "run.sh started on node2");
        Assert.Equal((RunState.Running, RunState.Running), ((await LoadAsync(first)).State, (await LoadAsync(second)).State));
        Assert.Equal(4, await app.WithDbAsync(db => db.RunLeases.CountAsync()));
    }

    [Fact]
    public async Task Two_nodes_sharing_an_endpoint_never_overlap_and_keep_their_queue_order()
    {
        await using var other = await Sshd.StartAsync();
        await app.WithDbAsync(db => db.Nodes.Where(n => n.Id == nodeId).ExecuteUpdateAsync(s => s.SetProperty(n => n.Endpoint, "endpoint-b")));
        var node2 = await AddNodeAsync(other, "node2", "endpoint-b");
        using var client = app.CreateApiClient();

        var first = await QueueAsync(client, node2);
        var second = await QueueAsync(client, nodeId);
        await app.WaitForRunAsync(first, r => r.RemotePid is not null, Limit, "run.sh started on node2");
        await app.DrainDispatchAsync(Limit);

        Assert.Equal(RunState.Queued, (await LoadAsync(second)).State);
        using var results = await client.SendAsync(SignedCallbacks.Request(first, "results", (await LoadAsync(first)).CallbackSecret, SignedCallbacks.Results()), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, results.StatusCode);
        var started = await app.WaitForRunAsync(second, r => r.RemotePid is not null, Limit, "the second run started once the endpoint was free");
        Assert.True(started.StartedAt >= (await LoadAsync(first)).FinishedAt);
    }

    [Fact]
    public async Task A_node_that_cannot_be_reached_fails_the_run_at_once_and_the_queue_moves_on()
    {
        var dead = Seed.Node(name: "dead", host: "127.0.0.1", port: Sshd.FreePort(), keyPath: sshd.ClientKeyPath);
        await app.WithDbAsync(async db =>
        {
            db.Nodes.Add(dead);
            await db.SaveChangesAsync();
        });
        using var client = app.CreateApiClient();
        var failing = await QueueAsync(client, dead.Id);
        var next = await QueueAsync(client, nodeId);

        var failed = await app.WaitForRunAsync(failing, r => r.State.IsTerminal(), Limit, "the unreachable node's run ended");
        var started = await app.WaitForRunAsync(next, r => r.RemotePid is not null, Limit, "the next run started on its node");

        Assert.Equal(RunState.Failed, failed.State);
        Assert.Contains("Cannot reach dead", failed.FailureReason, StringComparison.Ordinal);
        Assert.Equal(RunState.Running, started.State);
    }

    [Fact]
    public async Task Any_failure_to_start_ends_the_run_at_once_and_the_next_run_reads_the_scripts_again()
    {
        var runScript = Path.Combine(scripts, "run.sh");
        File.Move(runScript, runScript + ".away");
        using var client = app.CreateApiClient();
        var failing = await QueueAsync(client, nodeId);

        var failed = await app.WaitForRunAsync(failing, r => r.State.IsTerminal(), Limit, "the run without scripts ended");
        Assert.Equal(RunState.Failed, failed.State);
        Assert.Contains("The node scripts are missing", failed.FailureReason, StringComparison.Ordinal);

        File.Move(runScript + ".away", runScript);
        var next = await QueueAsync(client, nodeId);
        var started = await app.WaitForRunAsync(next, r => r.RemotePid is not null || r.State.IsTerminal(), Limit, "the next run started");
        Assert.Equal(RunState.Running, started.State);
    }

    [Fact]
    public async Task Cancelling_a_running_run_stops_its_script_and_a_queued_one_never_starts()
    {
        using var client = app.CreateApiClient();
        var running = await QueueAsync(client, nodeId);
        var queued = await QueueAsync(client, nodeId);
        var started = await app.WaitForRunAsync(running, r => r.RemotePid is not null, Limit, "run.sh started");

        using var cancelQueued = await client.PostAsync($"/api/runs/{queued}/cancel", null, TestContext.Current.CancellationToken);
        using var cancelRunning = await client.PostAsync($"/api/runs/{running}/cancel", null, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Accepted, cancelQueued.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, cancelRunning.StatusCode);
        var cancelled = await TickUntilAsync(running, r => !r.RemoteStopPending);
        Assert.Equal(RunState.Cancelled, cancelled.State);
        Assert.False(ProcessRunner.IsAlive(started.RemotePid!.Value));
        var never = await LoadAsync(queued);
        Assert.Equal(RunState.Cancelled, never.State);
        Assert.Null(never.StartedAt);
        Assert.Empty(await app.WithDbAsync(db => db.RunLeases.ToListAsync()));
        using var again = await client.PostAsync($"/api/runs/{running}/cancel", null, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
    }

    private VpnLensApp StartApp(string scriptsPath) => new(
        ShortRuns.Into(new Dictionary<string, string?>
        {
            ["Runs:Deadline"] = Deadline.ToString(),
            ["Runs:DeadlinePerExtraProtocol"] = "00:00:00",
            ["Runs:DeadlineCheckInterval"] = "00:00:01",
            ["Ssh:ScriptsPath"] = scriptsPath,
            ["Ssh:ConnectTimeout"] = "00:00:05",
            ["Endpoints:Names:0"] = "endpoint-b",
        }),
        services => services.AddSingleton<TimeProvider>(clock));

    private async Task<Guid> AddNodeAsync(Sshd server, string name, string endpoint)
    {
        var node = Seed.Node(name: name, host: "127.0.0.1", port: server.Port, fingerprint: server.Fingerprint, keyPath: server.ClientKeyPath);
        node.Endpoint = endpoint;
        await app.WithDbAsync(async db =>
        {
            db.Nodes.Add(node);
            await db.SaveChangesAsync();
        });
        return node.Id;
    }

    private static async Task<Guid> QueueAsync(HttpClient client, Guid node)
    {
        using var response = await client.PostAsJsonAsync("/api/runs", new { nodeId = node, protocols = new[] { "wireguard", "nebula" }, email = "ops@example.com" }, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken)).GetProperty("id").GetGuid();
    }

    private Task<Run> LoadAsync(Guid id) => app.WithDbAsync(db => db.Runs.AsNoTracking().SingleAsync(r => r.Id == id));

    /// <summary>Polls the run, moving the fake clock one reaper interval per look so the reaper keeps taking rounds.</summary>
    private async Task<Run> TickUntilAsync(Guid id, Func<Run, bool> condition)
    {
        var limit = DateTime.UtcNow + Limit;
        while (true)
        {
            await Task.Delay(100, TestContext.Current.CancellationToken);
            var run = await LoadAsync(id);
            if (condition(run))
            {
                return run;
            }

            Assert.True(DateTime.UtcNow < limit, $"Run {id} is still {run.State} (stop pending: {run.RemoteStopPending}, reason: {run.FailureReason}).");
            clock.Advance(TimeSpan.FromSeconds(1));
        }
    }
}
