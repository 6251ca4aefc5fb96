using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using VPNLens.Core.Runs;
using VPNLens.Tests.Browser;
using VPNLens.Tests.Infrastructure;
using VPNLens.Web.Api;
using VPNLens.Web.Nodes;
using VPNLens.Web.Persistence;
using VPNLens.Web.Runs;

namespace VPNLens.Tests.Web.ScaleOut;

/// <summary>
/// Two app instances on one real PostgreSQL database, as behind a load balancer: they share the queue, the runs,
/// the Data Protection keys, and each other's run events (LISTEN/NOTIFY). The node is played by the test: a fake
/// SSH client remembers the start, the test posts the node's signed callbacks to whichever instance it chooses.
/// </summary>
[Collection(AppCollection.Name)]
public sealed class TwoInstancesTests : IAsyncLifetime
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(30);
    private readonly FakeRemoteNodeClient node = new();
    private string data = null!;
    private VpnLensApp a = null!;
    private VpnLensApp b = null!;
    private Guid nodeId;

    public async ValueTask InitializeAsync()
    {
        TestPostgres.RequireServer();
        data = Directory.CreateTempSubdirectory("vpnlens-two-").FullName;
        a = Instance();
        b = Instance();
        var seeded = Seed.Node();
        nodeId = seeded.Id;
        await a.WithDbAsync(async db =>
        {
            db.Nodes.Add(seeded);
            await db.SaveChangesAsync();
        });
        await Task.WhenAll(Relay(a).Listening, Relay(b).Listening).WaitAsync(Limit, TestContext.Current.CancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        if (b is not null)
        {
            await b.DisposeAsync();
        }

        if (a is not null)
        {
            await a.DisposeAsync();
        }

        if (data is not null)
        {
            TestPostgres.DropDatabase(TestPostgres.DatabaseNameFor(data));
            Directory.Delete(data, recursive: true);
        }
    }

    [Fact]
    public async Task A_run_queued_on_one_instance_and_called_back_on_the_other_ends_with_its_results()
    {
        using var apiA = a.CreateApiClient();
        using var queued = await apiA.PostAsJsonAsync("/api/runs", new { nodeId, protocols = new[] { "wireguard", "nebula" }, email = "ops@example.com" }, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Accepted, queued.StatusCode);
        var id = (await queued.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken)).GetProperty("id").GetGuid();

        var secret = await WaitForStartAsync(id);
        using var callbacksB = b.CreateClient();
        using var phase = await callbacksB.SendAsync(SignedCallbacks.Request(id, "phases", secret, SignedCallbacks.Phase()), TestContext.Current.CancellationToken);
        using var results = await callbacksB.SendAsync(SignedCallbacks.Request(id, "results", secret, SignedCallbacks.Results()), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, phase.StatusCode);
        Assert.True(results.StatusCode == HttpStatusCode.OK, await results.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        var shown = await apiA.GetFromJsonAsync<JsonElement>($"/api/runs/{id}", TestContext.Current.CancellationToken);
        Assert.Equal("Completed", shown.GetProperty("status").GetString());
        Assert.Single(node.Started, p => p.RunId == id);
    }

    [Fact]
    public async Task Runs_posted_at_once_to_both_instances_are_all_queued_each_with_a_position_of_its_own()
    {
        using var apiA = a.CreateApiClient();
        using var apiB = b.CreateApiClient();
        using var blocker = await apiA.PostAsJsonAsync("/api/runs", new { nodeId, protocols = new[] { "wireguard" }, email = "ops@example.com" }, TestContext.Current.CancellationToken);
        Assert.True(blocker.StatusCode == HttpStatusCode.Accepted, await blocker.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        await WaitForStartAsync((await blocker.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken)).GetProperty("id").GetGuid());

        var answers = await Task.WhenAll(Enumerable.Range(0, 80).Select(async i =>
        {
            using var response = await (i % 2 == 0 ? apiA : apiB).PostAsJsonAsync("/api/runs", new { nodeId, protocols = new[] { "wireguard" }, email = "ops@example.com" }, TestContext.Current.CancellationToken);
            return (response.StatusCode, Body: await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        }));

        Assert.All(answers, answer => Assert.True(answer.StatusCode == HttpStatusCode.Accepted, $"{answer.StatusCode}: {answer.Body}"));
        Assert.Equal(Enumerable.Range(1, 80), answers.Select(answer => JsonDocument.Parse(answer.Body).RootElement.GetProperty("queuePosition").GetInt32()).Order());
    }

    [Fact]
    public async Task A_hub_client_on_one_instance_sees_the_phases_and_end_of_a_run_whose_callbacks_land_on_the_other()
    {
        var run = Seed.Run(nodeId, RunState.Running, protocols: ["wireguard", "nebula"]);
        await a.WithDbAsync(async db =>
        {
            db.Runs.Add(run);
            await db.SaveChangesAsync();
        });
        await using var hub = ConnectHub(b);
        var phase = new TaskCompletionSource<PhaseDto>(TaskCreationOptions.RunContinuationsAsynchronously);
        var state = new TaskCompletionSource<RunStatePush>(TaskCreationOptions.RunContinuationsAsynchronously);
        hub.On<PhaseDto>(RunHub.PhaseMessage, p => phase.TrySetResult(p));
        hub.On<RunStatePush>(RunHub.StateMessage, s => state.TrySetResult(s));
        await hub.StartAsync(TestContext.Current.CancellationToken);
        await hub.InvokeAsync("JoinRun", run.Id, TestContext.Current.CancellationToken);

        using var callbacksA = a.CreateClient();
        using var posted = await callbacksA.SendAsync(SignedCallbacks.Request(run.Id, "phases", run.CallbackSecret, SignedCallbacks.Phase("wireguard", "tcp_download", detail: "median 640.5 Mbit/s")), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, posted.StatusCode);
        var pushed = await phase.Task.WaitAsync(Limit, TestContext.Current.CancellationToken);
        Assert.Equal(("wireguard", "tcp_download", "median 640.5 Mbit/s"), (pushed.Protocol, pushed.Phase, pushed.Detail));

        using var results = await callbacksA.SendAsync(SignedCallbacks.Request(run.Id, "results", run.CallbackSecret, SignedCallbacks.Results()), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, results.StatusCode);
        var ended = await state.Task.WaitAsync(Limit, TestContext.Current.CancellationToken);
        Assert.Equal((run.Id, "Completed"), (ended.RunId, ended.State));
    }

    [Fact]
    public void What_one_instance_protects_the_other_reads()
    {
        var sealedByA = a.Services.GetRequiredService<IDataProtectionProvider>().CreateProtector("test").Protect("signed in");

        Assert.Equal("signed in", b.Services.GetRequiredService<IDataProtectionProvider>().CreateProtector("test").Unprotect(sealedByA));
    }

    private VpnLensApp Instance() => new(
        configureServices: services => services.Replace(ServiceDescriptor.Singleton<IRemoteNodeClient>(node)),
        dataDirectory: data,
        provider: DatabaseProvider.Postgres);

    private static PostgresRunEventRelay Relay(VpnLensApp app) => app.Services.GetRequiredService<PostgresRunEventRelay>();

    private async Task<string> WaitForStartAsync(Guid id)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(Limit);
        while (true)
        {
            var run = await a.WithDbAsync(db => db.Runs.AsNoTracking().SingleAsync(r => r.Id == id, timeout.Token));
            if (run.State != RunState.Queued)
            {
                Assert.Equal(RunState.Running, run.State);
                return run.CallbackSecret;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100), timeout.Token);
        }
    }

    private static HubConnection ConnectHub(VpnLensApp app) => new HubConnectionBuilder()
        .WithUrl(new Uri(app.Server.BaseAddress, RunHub.Path.TrimStart('/')), options =>
        {
            options.HttpMessageHandlerFactory = _ => app.Server.CreateHandler();
            options.Transports = HttpTransportType.LongPolling;
            options.Headers["Authorization"] = "Bearer " + VpnLensApp.ApiToken;
        })
        .Build();
}
