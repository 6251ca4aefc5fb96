using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using VPNLens.Tests.Infrastructure;
using VPNLens.Web.Persistence;

namespace VPNLens.Tests.Web.ScaleOut;

/// <summary>
/// Two app processes on one real PostgreSQL database, the node a real sshd whose run.sh never calls back: the
/// instance that started a run is killed with SIGKILL while the run measures, and the other carries on.
/// </summary>
[Collection(AppCollection.Name)]
public sealed class KilledInstanceTests : IAsyncLifetime
{
    private const string Token = "killed-instance-token-0123456789";
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(90);

    private readonly string database = TestPostgres.DatabaseNameFor(null);
    private Sshd sshd = null!;
    private string scripts = null!;
    private AppProcess? a;
    private AppProcess? b;

    public async ValueTask InitializeAsync()
    {
        TestPostgres.RequireServer();
        // Its apps are on PostgreSQL whatever the pass: the whole suite's pass runs it, the PostgreSQL pass need not again.
        Assert.SkipWhen(TestPostgres.SuiteProvider == DatabaseProvider.Postgres, "Run once, in the whole suite's pass.");
        Assert.SkipUnless(ProcessRunner.IsRoot, "Starting sshd for any user needs root; the README's test command runs as root.");
        sshd = await Sshd.StartAsync();
        scripts = StubScripts.Create();
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var app in new[] { a, b })
        {
            if (app is not null)
            {
                await app.DisposeAsync();
            }
        }

        if (sshd is not null)
        {
            await sshd.DisposeAsync();
        }

        TestPostgres.DropDatabase(database);
    }

    [Fact]
    public async Task With_the_instance_that_started_a_run_killed_the_other_takes_its_callbacks_and_starts_the_next_run()
    {
        a = await AppProcess.StartAsync(Settings());
        using var apiA = a.CreateApiClient(Token);
        var nodeId = await AddNodeAsync(apiA);
        var first = await QueueAsync(apiA, nodeId);
        var second = await QueueAsync(apiA, nodeId);
        await a.WaitForRunAsync(apiA, first, r => Status(r) == "Running" && File.Exists(SeenParams(first)), Limit, "started by A on the node");
        var secret = CallbackSecret(first);

        b = await AppProcess.StartAsync(Settings());
        a.Kill();

        using var apiB = b.CreateApiClient(Token);
        Assert.Equal("Queued", Status(await apiB.GetFromJsonAsync<JsonElement>($"api/runs/{second}", TestContext.Current.CancellationToken)));
        using var callbacks = new HttpClient { BaseAddress = b.Url };
        using var results = await callbacks.SendAsync(SignedCallbacks.Request(first, "results", secret, SignedCallbacks.Results()), TestContext.Current.CancellationToken);
        Assert.True(results.StatusCode == HttpStatusCode.OK, await results.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));

        var ended = await b.WaitForRunAsync(apiB, first, r => Status(r) == "Completed", Limit, "completed on B");
        Assert.NotEqual(JsonValueKind.Null, ended.GetProperty("results").ValueKind);
        await b.WaitForRunAsync(apiB, second, r => Status(r) == "Running", Limit, "started by B after A was killed");
        // B's SSH session started the second run's script: A is gone
        await b.WaitForRunAsync(apiB, second, _ => File.Exists(SeenParams(second)), Limit, "on the node");
    }

    [Fact]
    public async Task With_the_instance_that_started_a_run_killed_the_deadline_still_holds_on_the_other()
    {
        // The shortest settings (the stub measures nothing): the deadline is half again their longest estimate, about two
        // minutes for direct and one VPN, long enough for the next run's script to start on a loaded machine before its own.
        var deadline = new Dictionary<string, string>(ShortRuns.Settings)
        {
            ["Runs:Deadline"] = "00:00:45",
            ["Runs:DeadlinePerExtraProtocol"] = "00:00:00",
        };
        a = await AppProcess.StartAsync(Settings(deadline));
        using var apiA = a.CreateApiClient(Token);
        var nodeId = await AddNodeAsync(apiA);
        var first = await QueueAsync(apiA, nodeId);
        var second = await QueueAsync(apiA, nodeId);
        await a.WaitForRunAsync(apiA, first, r => Status(r) == "Running" && File.Exists(SeenParams(first)), Limit, "started by A on the node");
        var script = int.Parse(await File.ReadAllTextAsync(Path.Combine(sshd.Home, "runs", first.ToString(), "run.pid"), TestContext.Current.CancellationToken), System.Globalization.CultureInfo.InvariantCulture);

        b = await AppProcess.StartAsync(Settings(deadline));
        a.Kill();

        using var apiB = b.CreateApiClient(Token);
        await b.WaitForRunAsync(apiB, first, r => Status(r) == "TimedOut", 3 * Limit, "timed out by B");
        await b.WaitForRunAsync(apiB, second, r => Status(r) == "Running" && File.Exists(SeenParams(second)), Limit, "started by B on the node");
        Assert.False(ProcessRunner.IsAlive(script), "B stopped the timed-out run's script before the next run started");
    }

    private Dictionary<string, string> Settings(Dictionary<string, string>? extra = null) => new(extra ?? [])
    {
        ["Database:Provider"] = "Postgres",
        ["ConnectionStrings:App"] = TestPostgres.CreateDatabase(database),
        ["Api:Token"] = Token,
        ["Admin:Email"] = "admin@vpnlens.test",
        ["Admin:Password"] = "Admin-Password-1234",
        ["App:PublicUrl"] = "http://127.0.0.1:5080/",
        ["Ssh:ScriptsPath"] = scripts,
        ["Runs:DeadlineCheckInterval"] = "00:00:00.200",
        ["Logging:LogLevel:Default"] = "Warning",
    };

    private async Task<Guid> AddNodeAsync(HttpClient api)
    {
        using var response = await api.PostAsJsonAsync("api/nodes", new
        {
            name = "node1",
            host = "127.0.0.1",
            port = sshd.Port,
            user = "root",
            hostKeyFingerprint = sshd.Fingerprint,
            privateKeyPath = sshd.ClientKeyPath,
        }, TestContext.Current.CancellationToken);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        return (await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken)).GetProperty("id").GetGuid();
    }

    private static async Task<Guid> QueueAsync(HttpClient api, Guid nodeId)
    {
        using var response = await api.PostAsJsonAsync("api/runs", new { nodeId, protocols = new[] { "wireguard", "nebula" }, email = "ops@example.com" }, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken)).GetProperty("id").GetGuid();
    }

    /// <summary>The secret the node was given for its callbacks (the stub run.sh keeps its parameters).</summary>
    private string CallbackSecret(Guid runId)
    {
        using var seen = JsonDocument.Parse(File.ReadAllText(SeenParams(runId)));
        return seen.RootElement.GetProperty("secret").GetString()!;
    }

    private string SeenParams(Guid runId) => Path.Combine(sshd.Home, "runs", runId.ToString(), "seen-params.json");

    private static string? Status(JsonElement run) => run.GetProperty("status").GetString();
}
