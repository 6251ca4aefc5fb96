using Microsoft.Extensions.Logging.Abstractions;
using VPNLens.Core.Nodes;
using VPNLens.Core.Runs;
using VPNLens.Tests.Infrastructure;
using VPNLens.Web.Runs;

namespace VPNLens.Tests.Web.Runs;

public sealed class RunDispatcherTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Start = DateTimeOffset.Parse("2026-12-05T08:00:00Z", System.Globalization.CultureInfo.InvariantCulture);
    private TestDatabase database = null!;

    public async ValueTask InitializeAsync() => database = await TestDatabase.CreateAsync();

    public ValueTask DisposeAsync() => database.DisposeAsync();

    [Fact]
    public async Task One_round_finds_every_run_that_can_start_oldest_first_and_none_behind_a_resource_held_or_wanted_earlier()
    {
        var node1 = Node("node1", RunResources.ControlPlaneEndpoint);
        var node2 = Node("node2", "vl-ep2");
        var node3 = Node("node3", RunResources.ControlPlaneEndpoint);
        var node4 = Node("node4", "vl-ep3");
        var running = Queued(node4, 0);
        running.State = RunState.Running;
        var first = Queued(node1, 1);
        var sharesFirstsEndpoint = Queued(node3, 2);
        var otherEndpoint = Queued(node2, 3);
        var secondOnNode1 = Queued(node1, 4);
        var behindRunningLease = Queued(node4, 5);
        var secondOnNode2 = Queued(node2, 6);
        await database.AddAsync([node1, node2, node3, node4, running, first, sharesFirstsEndpoint, otherEndpoint, secondOnNode1, behindRunningLease, secondOnNode2]);
        await database.AddAsync([.. RunResources.Of(node4).Select(r => new RunLease { Resource = r, RunId = running.Id, TakenAt = Start, ExpiresAt = Start.AddHours(1) })]);
        var dispatcher = new RunDispatcher(database.Factory, null!, null!, TimeProvider.System, NullLogger<RunDispatcher>.Instance);

        var startable = await dispatcher.StartableAsync(TestContext.Current.CancellationToken);

        Assert.Equal([first.Id, otherEndpoint.Id], startable.Select(s => s.RunId));
        Assert.Equal(RunResources.Of(node2), startable[1].Resources);
    }

    private static Node Node(string name, string endpoint)
    {
        var node = Seed.Node(name);
        node.Endpoint = endpoint;
        return node;
    }

    private static Run Queued(Node node, int sequence)
    {
        var run = Seed.Run(node.Id, RunState.Queued);
        run.QueuedAt = Start.AddSeconds(sequence);
        run.QueueSequence = sequence + 1;
        return run;
    }
}
