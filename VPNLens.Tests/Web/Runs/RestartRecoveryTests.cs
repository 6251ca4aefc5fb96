using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using VPNLens.Core.Runs;
using VPNLens.Tests.Infrastructure;

namespace VPNLens.Tests.Web.Runs;

/// <summary>The app stops while a run is running on its node, and starts again on the same databases, its clock moved by the test.</summary>
[Collection(AppCollection.Name)]
public sealed class RestartRecoveryTests : IAsyncLifetime
{
    private static readonly TimeSpan Deadline = TimeSpan.FromMinutes(10);
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);

    private readonly FakeTimeProvider clock = new(DateTimeOffset.UtcNow);
    private Sshd sshd = null!;
    private string data = null!;

    public async ValueTask InitializeAsync()
    {
        Assert.SkipUnless(ProcessRunner.IsRoot, "Starting sshd for any user needs root; the README's test command runs as root.");
        sshd = await Sshd.StartAsync();
        data = Directory.CreateTempSubdirectory("vpnlens-restart-").FullName;
    }

    public async ValueTask DisposeAsync()
    {
        if (sshd is not null)
        {
            await sshd.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_run_still_within_its_deadline_accepts_its_results_after_a_restart()
    {
        var scripts = StubScripts.Create();
        var (id, secret, _) = await DispatchThenStopAppAsync(scripts);

        await using var restarted = App(scripts);
        using var client = restarted.CreateClient();
        using var response = await client.SendAsync(SignedCallbacks.Request(id, "results", secret, SignedCallbacks.Results(), at: clock.GetUtcNow()), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(RunState.Completed, await restarted.WithDbAsync(db => db.Runs.Where(r => r.Id == id).Select(r => r.State).SingleAsync()));
    }

    [Fact]
    public async Task A_run_whose_deadline_passed_while_the_app_was_down_times_out_and_its_script_is_stopped()
    {
        var scripts = StubScripts.Create();
        var (id, _, pid) = await DispatchThenStopAppAsync(scripts);
        Assert.True(ProcessRunner.IsAlive(pid), "the node's script keeps running while the app is down");

        clock.Advance(Deadline + TimeSpan.FromSeconds(1));
        await using var restarted = App(scripts);
        var run = await restarted.WaitForRunAsync(id, r => r.State.IsTerminal() && !r.RemoteStopPending, Limit, "timed out and stopped");

        Assert.Equal(RunState.TimedOut, run.State);
        Assert.False(ProcessRunner.IsAlive(pid));
    }

    [Fact]
    public async Task Results_the_node_kept_while_the_app_was_down_are_fetched_at_the_restart()
    {
        var scripts = StubScripts.Create(keptResults: SignedCallbacks.Results());
        var (id, _, _) = await DispatchThenStopAppAsync(scripts);

        await using var restarted = App(scripts);
        var run = await restarted.WaitForRunAsync(id, r => r.State.IsTerminal(), Limit, "ended with the fetched results");

        Assert.Equal(RunState.Completed, run.State);
        Assert.NotNull(run.ResultsJson);
        Assert.True(run.FinishedAt < run.DeadlineAt, "the results were applied, not the deadline");
    }

    private async Task<(Guid Id, string Secret, int Pid)> DispatchThenStopAppAsync(string scripts)
    {
        var first = App(scripts);
        first.KeepData = true;
        var node = Seed.Node(host: "127.0.0.1", port: sshd.Port, fingerprint: sshd.Fingerprint, keyPath: sshd.ClientKeyPath);
        await first.WithDbAsync(async db =>
        {
            db.Nodes.Add(node);
            await db.SaveChangesAsync();
        });
        using var client = first.CreateApiClient();
        using var response = await client.PostAsJsonAsync("/api/runs", new { nodeId = node.Id, protocols = new[] { "wireguard", "nebula" }, email = "ops@example.com" }, TestContext.Current.CancellationToken);
        var id = (await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken)).GetProperty("id").GetGuid();

        var run = await first.WaitForRunAsync(id, r => r.RemotePid is not null, Limit, "run.sh started");
        Assert.Equal(RunState.Running, run.State);
        await first.DisposeAsync();
        return (id, run.CallbackSecret, run.RemotePid!.Value);
    }

    private VpnLensApp App(string scripts) => new(
        ShortRuns.Into(new Dictionary<string, string?>
        {
            ["Runs:Deadline"] = Deadline.ToString(),
            ["Runs:DeadlinePerExtraProtocol"] = "00:00:00",
            ["Ssh:ScriptsPath"] = scripts,
        }),
        services => services.AddSingleton<TimeProvider>(clock),
        dataDirectory: data);
}
