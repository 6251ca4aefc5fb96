using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using VPNLens.Core.Runs;
using VPNLens.Tests.Infrastructure;

namespace VPNLens.Tests.Web.Runs;

/// <summary>
/// The queue for real: Hangfire on SQLite, SSH.NET to a real sshd, and a node script that hangs.
/// Deadlines are seconds here so the paths that take minutes in production run in a test.
/// </summary>
[Collection(AppCollection.Name)]
public sealed class QueueTests : IAsyncLifetime
{
    private Sshd sshd = null!;
    private VpnLensApp app = null!;
    private Guid nodeId;

    public async ValueTask InitializeAsync()
    {
        Assert.SkipUnless(ProcessRunner.IsRoot, "Starting sshd for any user needs root; the README's test command runs as root.");
        sshd = await Sshd.StartAsync();
        app = new VpnLensApp(new Dictionary<string, string?>
        {
            ["Runs:Deadline"] = "00:00:10",
            ["Runs:DeadlinePerExtraProtocol"] = "00:00:00",
            ["Ssh:ScriptsPath"] = StubScripts.Create(),
            ["Ssh:ConnectTimeout"] = "00:00:05",
        });
        var node = Seed.Node(host: "127.0.0.1", port: sshd.Port, fingerprint: sshd.Fingerprint, keyPath: sshd.ClientKeyPath);
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

        if (sshd is not null)
        {
            await sshd.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_run_without_results_times_out_its_script_is_stopped_and_a_late_callback_gets_409()
    {
        using var client = app.CreateApiClient();
        var id = await QueueAsync(client, nodeId);

        var run = await WaitForAsync(id, r => r.State.IsTerminal() && !r.RemoteStopPending, TimeSpan.FromSeconds(60));

        Assert.Equal(RunState.TimedOut, run.State);
        Assert.Contains("deadline", run.FailureReason, StringComparison.Ordinal);
        Assert.NotNull(run.RemotePid);
        Assert.False(ProcessRunner.IsAlive(run.RemotePid!.Value), "the hung script must be stopped by its pid");
        Assert.Contains("stop", await File.ReadAllTextAsync(Path.Combine(sshd.Home, "switch.log"), TestContext.Current.CancellationToken), StringComparison.Ordinal);

        using var late = await client.SendAsync(SignedCallbacks.Request(id, "results", run.CallbackSecret, SignedCallbacks.Results()), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Conflict, late.StatusCode);
        Assert.Equal(RunState.TimedOut, (await LoadAsync(id)).State);
    }

    [Fact]
    public async Task Runs_execute_one_at_a_time_in_the_order_they_were_queued()
    {
        using var client = app.CreateApiClient();
        var first = await QueueAsync(client, nodeId);
        var second = await QueueAsync(client, nodeId);

        var a = await WaitForAsync(first, r => r.State.IsTerminal(), TimeSpan.FromSeconds(60));
        var b = await WaitForAsync(second, r => r.State.IsTerminal(), TimeSpan.FromSeconds(60));

        Assert.True(b.StartedAt >= a.FinishedAt, $"the second run started at {b.StartedAt:O}, before the first ended at {a.FinishedAt:O}");
        TestContext.Current.SendDiagnosticMessage($"queue gap: second run started {(b.StartedAt - a.FinishedAt)!.Value.TotalMilliseconds:0} ms after the first ended");
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

        var failed = await WaitForAsync(failing, r => r.State.IsTerminal(), TimeSpan.FromSeconds(20));
        var started = await WaitForAsync(next, r => r.State != RunState.Queued, TimeSpan.FromSeconds(20));

        Assert.Equal(RunState.Failed, failed.State);
        Assert.Contains("Cannot reach dead", failed.FailureReason, StringComparison.Ordinal);
        Assert.NotEqual(RunState.Queued, started.State);
    }

    [Fact]
    public async Task Cancelling_a_running_run_stops_its_script_and_a_queued_one_never_starts()
    {
        using var client = app.CreateApiClient();
        var running = await QueueAsync(client, nodeId);
        var queued = await QueueAsync(client, nodeId);
        var started = await WaitForAsync(running, r => r.RemotePid is not null, TimeSpan.FromSeconds(20));

        using var cancelQueued = await client.PostAsync($"/api/runs/{queued}/cancel", null, TestContext.Current.CancellationToken);
        using var cancelRunning = await client.PostAsync($"/api/runs/{running}/cancel", null, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Accepted, cancelQueued.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, cancelRunning.StatusCode);
        var cancelled = await WaitForAsync(running, r => !r.RemoteStopPending, TimeSpan.FromSeconds(20));
        Assert.Equal(RunState.Cancelled, cancelled.State);
        Assert.False(ProcessRunner.IsAlive(started.RemotePid!.Value));
        var never = await LoadAsync(queued);
        Assert.Equal(RunState.Cancelled, never.State);
        Assert.Null(never.StartedAt);
        using var again = await client.PostAsync($"/api/runs/{running}/cancel", null, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
    }

    private static async Task<Guid> QueueAsync(HttpClient client, Guid node)
    {
        using var response = await client.PostAsJsonAsync("/api/runs", new { nodeId = node, protocols = new[] { "wireguard", "nebula" }, email = "ops@example.com" }, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken)).GetProperty("id").GetGuid();
    }

    private Task<Run> LoadAsync(Guid id) => app.WithDbAsync(db => db.Runs.AsNoTracking().SingleAsync(r => r.Id == id));

    private async Task<Run> WaitForAsync(Guid id, Func<Run, bool> condition, TimeSpan limit)
    {
        var deadline = DateTime.UtcNow + limit;
        while (true)
        {
            var run = await LoadAsync(id);
            if (condition(run))
            {
                return run;
            }

            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"Run {id} is still {run.State} after {limit.TotalSeconds} s (reason: {run.FailureReason}).");
            }

            await Task.Delay(100, TestContext.Current.CancellationToken);
        }
    }
}
