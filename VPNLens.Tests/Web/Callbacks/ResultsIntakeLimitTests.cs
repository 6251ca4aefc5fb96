using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using VPNLens.Core.Runs;
using VPNLens.Tests.Infrastructure;
using VPNLens.Web.Callbacks;

namespace VPNLens.Tests.Web.Callbacks;

/// <summary>
/// Posted results are stored a few at a time per instance; the rest wait their turn, and past the queue's limit a node
/// is told to post again later. The tests take the app's turns themselves to fill them.
/// </summary>
[Collection(AppCollection.Name)]
public sealed class ResultsIntakeLimitTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Past_the_queue_a_node_is_answered_503_with_retry_after_and_its_results_are_stored_when_posted_again()
    {
        await using var app = new VpnLensApp(Limits(concurrency: 1, queue: 0), VpnLensApp.WithoutDispatch);
        using var client = app.CreateClient();
        var run = await SeedRunningAsync(app);
        var turn = app.Services.GetRequiredService<ResultsIntakeLimit>().TryTurn();
        Assert.True(turn.IsAcquired);

        using var refused = await client.SendAsync(SignedCallbacks.Request(run.Id, "results", run.CallbackSecret, SignedCallbacks.Results(), "msg_results"), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(5), refused.Headers.RetryAfter?.Delta);
        Assert.Contains("Callbacks:ResultsQueueLimit", await refused.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
        Assert.Equal(RunState.Running, await StateAsync(app, run.Id));
        Assert.Equal(0, await app.WithDbAsync(db => db.WebhookDeliveries.CountAsync(d => d.RunId == run.Id)));

        turn.Dispose();
        using var again = await client.SendAsync(SignedCallbacks.Request(run.Id, "results", run.CallbackSecret, SignedCallbacks.Results(), "msg_results"), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Contains("applied", await again.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
        Assert.Equal(RunState.Completed, await StateAsync(app, run.Id));
    }

    [Fact]
    public async Task Results_within_the_queue_wait_for_their_turn_while_phase_events_go_on()
    {
        await using var app = new VpnLensApp(Limits(concurrency: 1, queue: 5), VpnLensApp.WithoutDispatch);
        using var client = app.CreateClient();
        var run = await SeedRunningAsync(app);
        var limit = app.Services.GetRequiredService<ResultsIntakeLimit>();
        var turn = limit.TryTurn();
        Assert.True(turn.IsAcquired);

        var waiting = client.SendAsync(SignedCallbacks.Request(run.Id, "results", run.CallbackSecret, SignedCallbacks.Results()), TestContext.Current.CancellationToken);
        await RunWaits.UntilAsync(() => limit.Statistics?.CurrentQueuedCount == 1, Limit, "the results to wait for a turn");
        using var phase = await client.SendAsync(SignedCallbacks.Request(run.Id, "phases", run.CallbackSecret, SignedCallbacks.Phase()), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, phase.StatusCode);
        Assert.False(waiting.IsCompleted);
        Assert.Equal(RunState.Running, await StateAsync(app, run.Id));

        turn.Dispose();
        using var stored = await waiting;

        Assert.Equal(HttpStatusCode.OK, stored.StatusCode);
        Assert.Equal(RunState.Completed, await StateAsync(app, run.Id));
        Assert.Equal(0, limit.Statistics?.CurrentQueuedCount);
    }

    private static Dictionary<string, string?> Limits(int concurrency, int queue) => new()
    {
        ["Callbacks:ResultsConcurrency"] = concurrency.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Callbacks:ResultsQueueLimit"] = queue.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    private static async Task<Run> SeedRunningAsync(VpnLensApp app)
    {
        var node = Seed.Node(name: $"node-{Guid.NewGuid():N}");
        var run = Seed.Run(node.Id, RunState.Running);
        await app.WithDbAsync(async db =>
        {
            db.Nodes.Add(node);
            db.Runs.Add(run);
            await db.SaveChangesAsync();
        });
        return run;
    }

    private static Task<RunState> StateAsync(VpnLensApp app, Guid id) =>
        app.WithDbAsync(db => db.Runs.Where(r => r.Id == id).Select(r => r.State).SingleAsync());
}
