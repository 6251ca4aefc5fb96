using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using VPNLens.Core.Phases;
using VPNLens.Core.Runs;
using VPNLens.Tests.Infrastructure;

namespace VPNLens.Tests.Lab;

/// <summary>
/// The base of the lab tests. Everything real: the app on Kestrel, the lab's node in its own network namespace reached over SSH,
/// the repository's node scripts, wireguard-go and nebula tunnels to the lab's endpoint host, iperf3, and
/// signed callbacks back to the app. Nothing is stubbed.
/// </summary>
public abstract class LabAppTests : IAsyncLifetime
{
    private static readonly TimeSpan RunLimit = TimeSpan.FromMinutes(10);

    private Infrastructure.Lab lab = null!;
    private HttpClient client = null!;
    private List<Guid> nodeIds = [];

    protected VpnLensApp App { get; private set; } = null!;

    /// <summary>The admin API client of the running app.</summary>
    protected HttpClient Api => client;

    /// <summary>The lab's first node as the app registered it.</summary>
    protected Guid NodeId => nodeIds[0];

    /// <summary>Every lab node as the app registered it, node1 first.</summary>
    protected IReadOnlyList<Guid> NodeIds => nodeIds;

    /// <summary>Lab node <paramref name="index"/>'s $VPNLENS_HOME (node1 is 0).</summary>
    protected string NodeHome(int index) => lab.Home(index);

    /// <summary>How many nodes the lab has, all registered with the app.</summary>
    protected virtual int LabNodes => 1;

    /// <summary>How many VPN endpoint hosts the lab has; node N measures against endpoint ((N-1) % endpoints) + 1.</summary>
    protected virtual int LabEndpoints => 1;

    /// <summary>The app's base address on the lab bridge.</summary>
    protected Uri BaseAddress { get; private set; } = null!;

    /// <summary>Settings a test adds to (or changes in) the lab app's configuration.</summary>
    protected virtual IReadOnlyDictionary<string, string?> ExtraConfiguration { get; } = new Dictionary<string, string?>();

    /// <summary>How long a run has before it is TimedOut, as Runs:Deadline (with nothing added per protocol).</summary>
    protected abstract string Deadline { get; }

    /// <summary>A scenario of many real runs (tens of minutes): it runs only when VPNLENS_TEST_SCENARIOS=1 asks for it.</summary>
    protected virtual bool IsLongScenario => false;

    public async ValueTask InitializeAsync()
    {
        Assert.SkipUnless(ProcessRunner.IsRoot, "The lab needs root (network namespaces, tun); the README's test command runs as root.");
        Assert.SkipWhen(
            IsLongScenario && Environment.GetEnvironmentVariable("VPNLENS_TEST_SCENARIOS") != "1",
            "A scenario of many real runs, too long for every test run: VPNLENS_TEST_SCENARIOS=1 sudo ./vpnlens test runs it.");
        lab = await Infrastructure.Lab.UpAsync(LabNodes, LabEndpoints);
        var port = Sshd.FreePort();
        var url = $"http://{Infrastructure.Lab.GatewayAddress}:{port}";
        var configuration = new Dictionary<string, string?>
        {
            ["Callbacks:BaseUrl"] = url + "/",
            ["Ssh:ScriptsPath"] = Repository.Scripts,
            ["Runs:Deadline"] = Deadline,
            ["Runs:DeadlinePerExtraProtocol"] = "00:00:00",
            ["Runs:Settings:TcpSeconds"] = "2",
            ["Runs:Settings:UdpSeconds"] = "2",
            ["Runs:Settings:OmitSeconds"] = "1",
            ["Runs:Settings:Repeats"] = "1",
            ["Runs:Settings:MaxRepeats"] = "2",
            ["Runs:Settings:UdpTargetMbps"] = "50",
            ["Runs:Settings:PingCount"] = "5",
        };
        foreach (var (key, value) in ExtraConfiguration)
        {
            configuration[key] = value;
        }

        BaseAddress = new Uri(url);
        App = new VpnLensApp(configuration, kestrelUrl: url);
        App.StartServer();
        client = App.CreateApiClient();
        for (var index = 0; index < LabNodes; index++)
        {
            using var created = await client.PostAsJsonAsync("/api/nodes", lab.NodeInput(index), TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            nodeIds.Add((await created.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken)).GetProperty("id").GetGuid());
        }
    }

    public async ValueTask DisposeAsync()
    {
        client?.Dispose();
        if (App is not null)
        {
            await App.DisposeAsync();
        }

        if (lab is not null)
        {
            await lab.DisposeAsync();
        }

        GC.SuppressFinalize(this);
    }

    protected Task<Guid> QueueAsync(params string[] protocols) => QueueOnAsync(NodeId, protocols);

    protected async Task<Guid> QueueOnAsync(Guid nodeId, params string[] protocols)
    {
        using var response = await client.PostAsJsonAsync(
            "/api/runs",
            new { nodeId, protocols = protocols.Length == 0 ? ["wireguard", "nebula"] : protocols, email = "ops@example.com" },
            TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken)).GetProperty("id").GetGuid();
    }

    protected Task<Run> WaitForEndAsync(Guid id) => WaitForAsync(id, r => r.State.IsTerminal() && !r.RemoteStopPending, RunLimit);

    protected async Task<Run> WaitForAsync(Guid id, Func<Run, bool> condition, TimeSpan limit)
    {
        var deadline = DateTime.UtcNow + limit;
        while (true)
        {
            var run = await App.WithDbAsync(db => db.Runs.AsNoTracking().SingleAsync(r => r.Id == id));
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
