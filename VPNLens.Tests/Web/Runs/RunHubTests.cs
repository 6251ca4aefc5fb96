using System.Net;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using VPNLens.Core.Runs;
using VPNLens.Tests.Infrastructure;
using VPNLens.Web.Api;
using VPNLens.Web.Runs;

namespace VPNLens.Tests.Web.Runs;

/// <summary>Clients that are not the dashboard follow a run over /hubs/runs: a signed callback arrives, the group gets a push.</summary>
[Collection(AppCollection.Name)]
public sealed class RunHubTests : IAsyncLifetime
{
    private static readonly TimeSpan PushLimit = TimeSpan.FromSeconds(10);
    private readonly VpnLensApp app = new();
    private HttpClient client = null!;
    private Run run = null!;

    public async ValueTask InitializeAsync()
    {
        client = app.CreateClient();
        var node = Seed.Node("node1");
        run = Seed.Run(node.Id, RunState.Running, protocols: ["wireguard", "tailscale", "nebula"]);
        await app.WithDbAsync(async db =>
        {
            db.AddRange(node, run);
            await db.SaveChangesAsync();
        });
    }

    public async ValueTask DisposeAsync()
    {
        client.Dispose();
        await app.DisposeAsync();
    }

    [Fact]
    public async Task A_joined_client_gets_each_phase_and_the_final_state()
    {
        await using var hub = Connect(VpnLensApp.ApiToken);
        var phase = new TaskCompletionSource<PhaseDto>(TaskCreationOptions.RunContinuationsAsynchronously);
        var state = new TaskCompletionSource<RunStatePush>(TaskCreationOptions.RunContinuationsAsynchronously);
        hub.On<PhaseDto>(RunHub.PhaseMessage, p => phase.TrySetResult(p));
        hub.On<RunStatePush>(RunHub.StateMessage, s => state.TrySetResult(s));
        await hub.StartAsync(TestContext.Current.CancellationToken);
        await hub.InvokeAsync("JoinRun", run.Id, TestContext.Current.CancellationToken);

        using var posted = await client.SendAsync(SignedCallbacks.Request(run.Id, "phases", run.CallbackSecret, SignedCallbacks.Phase("wireguard", "tcp_upload", detail: "median 812.3 Mbit/s")), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, posted.StatusCode);
        var pushed = await phase.Task.WaitAsync(PushLimit, TestContext.Current.CancellationToken);
        Assert.Equal(("wireguard", "tcp_upload", "succeeded", "median 812.3 Mbit/s", 1500.0), (pushed.Protocol, pushed.Phase, pushed.Status, pushed.Detail, pushed.DurationMs));

        using var results = await client.SendAsync(SignedCallbacks.Request(run.Id, "results", run.CallbackSecret, Fixtures.FourProtocols()), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, results.StatusCode);
        var ended = await state.Task.WaitAsync(PushLimit, TestContext.Current.CancellationToken);
        Assert.Equal((run.Id, "Completed"), (ended.RunId, ended.State));
    }

    [Fact]
    public async Task A_client_without_the_api_token_cannot_connect()
    {
        await using var hub = Connect("wrong-token-0123456789abcdef");

        var refused = await Assert.ThrowsAsync<HttpRequestException>(() => hub.StartAsync(TestContext.Current.CancellationToken));

        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
    }

    private HubConnection Connect(string token) => new HubConnectionBuilder()
        .WithUrl(new Uri(app.Server.BaseAddress, RunHub.Path.TrimStart('/')), options =>
        {
            options.HttpMessageHandlerFactory = _ => app.Server.CreateHandler();
            options.Transports = HttpTransportType.LongPolling;
            options.Headers["Authorization"] = "Bearer " + token;
        })
        .Build();
}
