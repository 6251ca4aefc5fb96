using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using VPNLens.Core.Nodes;
using VPNLens.Core.Runs;
using VPNLens.Tests.Infrastructure;
using VPNLens.Web.Runs;

namespace VPNLens.Tests.Web.Runs;

/// <summary>Two instances' in-process dispatchers on one database, woken as run ends wake them.</summary>
public sealed class InProcessRunDispatchTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Start = DateTimeOffset.Parse("2026-12-05T08:00:00Z", System.Globalization.CultureInfo.InvariantCulture);
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(30);
    private readonly List<Instance> instances = [];
    private TestDatabase database = null!;

    public async ValueTask InitializeAsync() => database = await TestDatabase.CreateAsync();

    public async ValueTask DisposeAsync()
    {
        foreach (var instance in instances)
        {
            await instance.DisposeAsync();
        }

        await database.DisposeAsync();
    }

    [Fact]
    public async Task A_run_end_starts_the_oldest_run_waiting_for_its_node_once_while_both_instances_dispatch()
    {
        var node = Seed.Node("node1");
        node.Endpoint = "vl-ep1";
        var other = Seed.Node("node2");
        other.Endpoint = "vl-ep2";
        var running = Seed.Run(node.Id);
        var next = Queued(node, 1);
        var after = Queued(node, 2);
        var elsewhere = Queued(other, 3);
        await database.AddAsync(node, other, running, next, after, elsewhere);
        await database.AddAsync([.. RunResources.Of(node).Select(r => new RunLease { Resource = r, RunId = running.Id, TakenAt = Start, ExpiresAt = Start.AddHours(1) })]);
        var a = await StartInstanceAsync();
        var b = await StartInstanceAsync();

        // The run ends on A (its move asks A for a round) while B is asked for rounds over and over.
        var asking = Task.Run(() =>
        {
            for (var i = 0; i < 50; i++)
            {
                b.Dispatch.Request();
            }
        }, TestContext.Current.CancellationToken);
        var ended = await a.Transitions.ApplyAsync(running.Id, RunTrigger.ResultsSucceeded, null, TestContext.Current.CancellationToken);
        await asking;
        await RunWaits.UntilAsync(() => a.Dispatch.IsIdle && b.Dispatch.IsIdle, Limit, "both dispatchers idle");

        Assert.True(ended.Applied);
        var states = await database.WithDbAsync(db => db.Runs.AsNoTracking().ToDictionaryAsync(r => r.Id, r => r.State));
        Assert.Equal(RunState.Running, states[next.Id]);
        Assert.Equal(RunState.Queued, states[after.Id]);
        Assert.Equal(RunState.Running, states[elsewhere.Id]);
        var leases = await database.WithDbAsync(db => db.RunLeases.AsNoTracking().ToListAsync());
        Assert.All(RunResources.Of(node), r => Assert.Equal(next.Id, leases.Single(l => l.Resource == r).RunId));
        var started = instances.SelectMany(i => i.Jobs.Jobs).Where(j => j.Job.Type == typeof(BenchmarkJob)).SelectMany(j => (Guid[])j.Job.Args[0]).Order().ToList();
        Assert.Equal(new[] { next.Id, elsewhere.Id }.Order(), started);
        Assert.DoesNotContain(instances.SelectMany(i => i.Jobs.Jobs), j => j.Job.Type == typeof(RunDispatcher));
    }

    private async Task<Instance> StartInstanceAsync()
    {
        var instance = new Instance(database);
        instances.Add(instance);
        await instance.Dispatch.StartAsync(TestContext.Current.CancellationToken);
        return instance;
    }

    private static Run Queued(Node node, int sequence)
    {
        var run = Seed.Run(node.Id, RunState.Queued);
        run.QueuedAt = Start.AddSeconds(sequence);
        run.QueueSequence = sequence;
        return run;
    }

    /// <summary>What one app instance wires together for dispatching, its Hangfire jobs recorded instead of run.</summary>
    private sealed class Instance : IAsyncDisposable
    {
        private readonly RunEvents events = new(NullLogger<RunEvents>.Instance);

        public Instance(TestDatabase database)
        {
            var requests = new Deferred();
            Transitions = new RunTransitions(database.Factory, events, new RecordingNotifier(), requests, Options.Create(new RunOptions()), TimeProvider.System);
            var dispatcher = new RunDispatcher(database.Factory, Transitions, new HangfireRunStarts(Jobs), Options.Create(new RunOptions()), TimeProvider.System, NullLogger<RunDispatcher>.Instance);
            Dispatch = new InProcessRunDispatch(() => dispatcher, new HangfireRunDispatchRequests(Jobs), NullLogger<InProcessRunDispatch>.Instance);
            requests.Target = Dispatch;
        }

        public RecordingJobClient Jobs { get; } = new();

        public RunTransitions Transitions { get; }

        public InProcessRunDispatch Dispatch { get; }

        public async ValueTask DisposeAsync()
        {
            await Dispatch.StopAsync(CancellationToken.None);
            Dispatch.Dispose();
            events.Dispose();
        }
    }

    private sealed class Deferred : IRunDispatchRequests
    {
        public InProcessRunDispatch? Target { get; set; }

        public void Request() => Target!.Request();
    }
}
