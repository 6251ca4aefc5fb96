using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using VPNLens.Core.Phases;
using VPNLens.Core.Runs;
using VPNLens.Tests.Infrastructure;

namespace VPNLens.Tests.Lab;

/// <summary>
/// Everything real: the app on Kestrel, the lab's node in its own network namespace reached over SSH,
/// the repository's node scripts, wireguard-go and nebula tunnels to the lab's endpoint host, iperf3, and
/// signed callbacks back to the app. Nothing is stubbed.
/// </summary>
[Collection(AppCollection.Name)]
[Trait("Category", "Lab")]
public sealed class EndToEndTests : IAsyncLifetime
{
    private static readonly TimeSpan RunLimit = TimeSpan.FromMinutes(4);

    private Infrastructure.Lab lab = null!;
    private VpnLensApp app = null!;
    private HttpClient client = null!;
    private Guid nodeId;

    public async ValueTask InitializeAsync()
    {
        Assert.SkipUnless(ProcessRunner.IsRoot, "The lab needs root (network namespaces, tun); the README's test command runs as root.");
        lab = await Infrastructure.Lab.UpAsync();
        var port = Sshd.FreePort();
        var url = $"http://{Infrastructure.Lab.GatewayAddress}:{port}";
        app = new VpnLensApp(
            new Dictionary<string, string?>
            {
                ["Callbacks:BaseUrl"] = url + "/",
                ["Ssh:ScriptsPath"] = Repository.Scripts,
                ["Runs:Deadline"] = "00:02:30",
                ["Runs:Settings:TcpSeconds"] = "2",
                ["Runs:Settings:UdpSeconds"] = "2",
                ["Runs:Settings:OmitSeconds"] = "1",
                ["Runs:Settings:Repeats"] = "1",
                ["Runs:Settings:MaxRepeats"] = "2",
                ["Runs:Settings:UdpTargetMbps"] = "50",
                ["Runs:Settings:PingCount"] = "5",
            },
            kestrelUrl: url);
        app.StartServer();
        client = app.CreateApiClient();
        using var created = await client.PostAsJsonAsync("/api/nodes", lab.NodeInput(), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        nodeId = (await created.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken)).GetProperty("id").GetGuid();
    }

    public async ValueTask DisposeAsync()
    {
        client?.Dispose();
        if (app is not null)
        {
            await app.DisposeAsync();
        }

        if (lab is not null)
        {
            await lab.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_wireguard_and_nebula_run_reaches_succeeded_with_every_phase_and_result_stored()
    {
        var id = await QueueAsync();

        var run = await WaitForEndAsync(id);

        Assert.True(run.State == RunState.Succeeded, $"run ended {run.State}: {run.FailureReason}");
        var phases = await app.WithDbAsync(db => db.PhaseEvents.AsNoTracking().Where(e => e.RunId == id).ToListAsync());
        foreach (var protocol in new[] { "direct", "wireguard", "nebula" })
        {
            var reported = phases.Where(p => p.Protocol == protocol).Select(p => p.Phase).ToHashSet();
            Assert.True(Phase.InOrder.All(reported.Contains), $"{protocol} reported {string.Join(", ", reported)}");
            var failed = phases.Where(p => p.Protocol == protocol && p.Status == PhaseStatus.Failed).Select(p => $"{p.Phase}: {p.Detail}").ToList();
            Assert.True(failed.Count == 0, string.Join("; ", failed));
        }

        var results = await app.WithDbAsync(db => db.ProtocolResults.AsNoTracking().Where(r => r.RunId == id).ToListAsync());
        Assert.Equal(["direct", "nebula", "wireguard"], results.Select(r => r.Protocol).Order());
        foreach (var result in results)
        {
            Assert.True(result.Succeeded, $"{result.Protocol}: {result.ErrorPhase} {result.ErrorMessage}");
            Assert.True(result.UploadMedianBitsPerSecond > 0, $"{result.Protocol} upload");
            Assert.True(result.DownloadMedianBitsPerSecond > 0, $"{result.Protocol} download");
            Assert.True(result.LatencyIdleP50Ms > 0, $"{result.Protocol} latency");
            TestContext.Current.SendDiagnosticMessage($"{result.Protocol}: up {result.UploadMedianBitsPerSecond / 1e6:0} Mbit/s, down {result.DownloadMedianBitsPerSecond / 1e6:0} Mbit/s, p50 {result.LatencyIdleP50Ms:0.###} ms, setup {result.SetupMs} ms, recovery {result.RecoveryMs} ms");
        }

        Assert.All(results.Where(r => r.Protocol != "direct"), r => Assert.True(r.RecoveryMs > 0 && r.SetupMs > 0, $"{r.Protocol} setup/recovery"));
        using var wireguard = JsonDocument.Parse(results.Single(r => r.Protocol == "wireguard").Json);
        Assert.Equal(1420, wireguard.RootElement.GetProperty("mtu").GetInt32());
    }

    [Fact]
    public async Task A_run_whose_script_is_killed_times_out_and_the_next_queued_run_still_succeeds()
    {
        var doomed = await QueueAsync("wireguard");
        var next = await QueueAsync("wireguard");
        var running = await WaitForAsync(doomed, r => r.RemotePid is not null, TimeSpan.FromSeconds(60));
        await WaitForAsync(doomed, _ => true, TimeSpan.Zero);
        await app.WithDbAsync(async db =>
        {
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (!await db.PhaseEvents.AnyAsync(e => e.RunId == doomed && e.Protocol == "wireguard") && DateTime.UtcNow < deadline)
            {
                await Task.Delay(200);
            }
        });

        await ProcessRunner.RunAsync("kill", "-KILL", "--", $"-{running.RemotePid}");

        var timedOut = await WaitForEndAsync(doomed);
        var succeeded = await WaitForEndAsync(next);
        Assert.Equal(RunState.TimedOut, timedOut.State);
        Assert.True(succeeded.State == RunState.Succeeded, $"the next run ended {succeeded.State}: {succeeded.FailureReason}");
        Assert.True(succeeded.StartedAt >= timedOut.FinishedAt);
    }

    private async Task<Guid> QueueAsync(params string[] protocols)
    {
        using var response = await client.PostAsJsonAsync(
            "/api/runs",
            new { nodeId, protocols = protocols.Length == 0 ? ["wireguard", "nebula"] : protocols, email = "ops@example.com" },
            TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken)).GetProperty("id").GetGuid();
    }

    private Task<Run> WaitForEndAsync(Guid id) => WaitForAsync(id, r => r.State.IsTerminal() && !r.RemoteStopPending, RunLimit);

    private async Task<Run> WaitForAsync(Guid id, Func<Run, bool> condition, TimeSpan limit)
    {
        var deadline = DateTime.UtcNow + limit;
        while (true)
        {
            var run = await app.WithDbAsync(db => db.Runs.AsNoTracking().SingleAsync(r => r.Id == id));
            if (condition(run))
            {
                return run;
            }

            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"Run {id} is still {run.State} after {limit.TotalSeconds} s ({run.FailureReason}).");
            }

            await Task.Delay(250, TestContext.Current.CancellationToken);
        }
    }
}
