using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using VPNLens.Core.Runs;
using VPNLens.Tests.Infrastructure;

namespace VPNLens.Tests.Web.Runs;

/// <summary>The app stops while a run is running on its node, and starts again on the same databases.</summary>
[Collection(AppCollection.Name)]
public sealed class RestartRecoveryTests : IAsyncLifetime
{
    private Sshd sshd = null!;
    private string scripts = null!;
    private string data = null!;

    public async ValueTask InitializeAsync()
    {
        Assert.SkipUnless(ProcessRunner.IsRoot, "Starting sshd for any user needs root; the README's test command runs as root.");
        sshd = await Sshd.StartAsync();
        scripts = StubScripts.Create();
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
        var (id, secret, _) = await DispatchThenStopAppAsync(deadline: "00:01:00");

        await using var restarted = App("00:01:00");
        using var client = restarted.CreateClient();
        using var response = await client.SendAsync(SignedCallbacks.Request(id, "results", secret, SignedCallbacks.Results()), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(RunState.Succeeded, await restarted.WithDbAsync(db => db.Runs.Where(r => r.Id == id).Select(r => r.State).SingleAsync()));
    }

    [Fact]
    public async Task A_run_whose_deadline_passes_after_a_restart_times_out_and_its_script_is_stopped()
    {
        var (id, _, pid) = await DispatchThenStopAppAsync(deadline: "00:00:15");
        Assert.True(ProcessRunner.IsAlive(pid), "the node's script keeps running while the app is down");

        await using var restarted = App("00:00:15");
        var deadline = DateTime.UtcNow.AddSeconds(60);
        Run run;
        do
        {
            await Task.Delay(200, TestContext.Current.CancellationToken);
            run = await restarted.WithDbAsync(db => db.Runs.AsNoTracking().SingleAsync(r => r.Id == id));
        }
        while ((run.State == RunState.Running || run.RemoteStopPending) && DateTime.UtcNow < deadline);

        Assert.Equal(RunState.TimedOut, run.State);
        Assert.False(run.RemoteStopPending);
        Assert.False(ProcessRunner.IsAlive(pid));
    }

    private async Task<(Guid Id, string Secret, int Pid)> DispatchThenStopAppAsync(string deadline)
    {
        var first = App(deadline);
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

        Run run;
        var limit = DateTime.UtcNow.AddSeconds(20);
        do
        {
            await Task.Delay(100, TestContext.Current.CancellationToken);
            run = await first.WithDbAsync(db => db.Runs.AsNoTracking().SingleAsync(r => r.Id == id));
        }
        while (run.RemotePid is null && DateTime.UtcNow < limit);

        Assert.Equal(RunState.Running, run.State);
        await first.DisposeAsync();
        return (id, run.CallbackSecret, run.RemotePid!.Value);
    }

    private VpnLensApp App(string deadline) => new(
        new Dictionary<string, string?> { ["Runs:Deadline"] = deadline, ["Runs:DeadlinePerExtraProtocol"] = "00:00:00", ["Ssh:ScriptsPath"] = scripts },
        dataDirectory: data);
}
