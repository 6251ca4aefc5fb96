using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using VPNLens.Core.Nodes;
using VPNLens.Core.Runs;
using VPNLens.Tests.Infrastructure;
using VPNLens.Web.Nodes;
using VPNLens.Web.Runs;

namespace VPNLens.Tests.Web.Runs;

public sealed class BenchmarkJobTests : IAsyncLifetime
{
    private readonly RunEvents events = new(NullLogger<RunEvents>.Instance);
    private TestDatabase? database;

    private TestDatabase Database => database!;

    public async ValueTask InitializeAsync() => database = await TestDatabase.CreateAsync();

    public async ValueTask DisposeAsync()
    {
        events.Dispose();
        await Database.DisposeAsync();
    }

    [Fact]
    public async Task A_chunks_runs_start_side_by_side_one_that_fails_to_start_ends_alone_and_one_ended_meanwhile_is_not_started()
    {
        var nodes = Enumerable.Range(0, 4).Select(i => Seed.Node($"node{i}")).ToList();
        var runs = nodes.Select(n => Seed.Run(n.Id, RunState.Running)).ToList();
        var cancelled = Seed.Run(nodes[0].Id, RunState.Cancelled);
        await Database.AddAsync([.. nodes, .. runs, cancelled]);
        // Two starts must be in flight at once before any answers: one at a time would never get past the first.
        var client = new GatedNodeClient(inFlightToAnswer: 2, failing: nodes[2].Name);

        await Job(client, startParallelism: 2).StartAllAsync([.. runs.Select(r => r.Id), cancelled.Id], TestContext.Current.CancellationToken);

        var stored = await Database.WithDbAsync(db => db.Runs.AsNoTracking().ToDictionaryAsync(r => r.Id));
        Assert.Equal(4, client.Calls);
        Assert.InRange(client.MostInFlight, 2, 2);
        foreach (var run in runs.Where(r => r.NodeId != nodes[2].Id))
        {
            Assert.Equal(RunState.Running, stored[run.Id].State);
            Assert.Equal(4242, stored[run.Id].RemotePid);
        }

        var failed = stored[runs[2].Id];
        Assert.Equal(RunState.Failed, failed.State);
        Assert.Contains("node2 refused", failed.FailureReason, StringComparison.Ordinal);
        Assert.Equal(RunState.Cancelled, stored[cancelled.Id].State);
        Assert.Null(stored[cancelled.Id].RemotePid);
    }

    [Fact]
    public async Task No_start_waits_for_a_pid_to_be_stored_and_every_pid_is_stored_in_the_end()
    {
        var nodes = Enumerable.Range(0, 30).Select(i => Seed.Node($"node{i}")).ToList();
        var runs = nodes.Select(n => Seed.Run(n.Id, RunState.Running)).ToList();
        await Database.AddAsync([.. nodes, .. runs]);
        var client = new GatedNodeClient(inFlightToAnswer: 1, failing: "none") { SignalAfterCalls = runs.Count };
        // No pid can be stored until every run's start has been asked for: a start that waited for its pid's write
        // would hold its turn among the 4 and the gate would never open.
        var options = Options.Create(new RunOptions { StartParallelism = 4 });
        var transitions = new RunTransitions(new GatedFactory(Database.Factory, client.EnoughCalls), events, new RecordingNotifier(), new RecordingDispatchRequests(), options, TimeProvider.System);
        var job = new BenchmarkJob(Database.Factory, client, transitions, new RunSecrets(null!), Options.Create(new CallbackOptions()), options, TimeProvider.System, NullLogger<BenchmarkJob>.Instance);

        await job.StartAllAsync([.. runs.Select(r => r.Id)], TestContext.Current.CancellationToken);

        Assert.Equal(runs.Count, client.Calls);
        var stored = await Database.WithDbAsync(db => db.Runs.AsNoTracking().ToListAsync());
        Assert.All(stored, r => Assert.Equal((RunState.Running, 4242), (r.State, r.RemotePid)));
    }

    [Fact]
    public async Task A_run_cancelled_while_its_script_starts_keeps_the_pid_its_stop_needs()
    {
        var node = Seed.Node("node0");
        var run = Seed.Run(node.Id, RunState.Running);
        await Database.AddAsync([node, run]);
        var transitions = Transitions(Options.Create(new RunOptions()));
        // The cancel lands after the node has been asked to start and before the pid is stored.
        var client = new GatedNodeClient(inFlightToAnswer: 1, failing: "none")
        {
            WhileStarting = () => transitions.ApplyAsync(run.Id, RunTrigger.Cancelled, new RunChange("Cancelled by the test."), CancellationToken.None),
        };

        await Job(client, startParallelism: 1).StartAllAsync([run.Id], TestContext.Current.CancellationToken);

        var stored = await Database.WithDbAsync(db => db.Runs.AsNoTracking().SingleAsync());
        Assert.Equal((RunState.Cancelled, true, 4242), (stored.State, stored.RemoteStopPending, stored.RemotePid));
    }

    [Fact]
    public async Task Chunks_handed_to_the_in_process_starts_start_side_by_side()
    {
        var nodes = Enumerable.Range(0, 2).Select(i => Seed.Node($"node{i}")).ToList();
        var runs = nodes.Select(n => Seed.Run(n.Id, RunState.Running)).ToList();
        await Database.AddAsync([.. nodes, .. runs]);
        // Each chunk starts one run at a time, and no start answers until two are in flight: only two chunks at once get past it.
        var client = new GatedNodeClient(inFlightToAnswer: 2, failing: "none");
        var jobs = new RecordingJobClient();
        using var starts = new InProcessRunStarts(
            () => Job(client, startParallelism: 1), new HangfireRunStarts(jobs), Options.Create(new RunOptions { StartingChunks = 2 }), NullLogger<InProcessRunStarts>.Instance);
        await starts.StartAsync(TestContext.Current.CancellationToken);

        starts.Start([runs[0].Id]);
        starts.Start([runs[1].Id]);
        await RunWaits.UntilAsync(() => starts.IsIdle, TimeSpan.FromSeconds(60), "both chunks through");
        await starts.StopAsync(TestContext.Current.CancellationToken);

        var stored = await Database.WithDbAsync(db => db.Runs.AsNoTracking().ToListAsync());
        Assert.All(stored, r => Assert.Equal((RunState.Running, 4242), (r.State, r.RemotePid)));
        Assert.Equal(2, client.MostInFlight);
        Assert.Empty(jobs.Jobs);
    }

    [Fact]
    public async Task A_chunk_handed_over_once_the_app_is_stopping_goes_to_a_Hangfire_job()
    {
        var jobs = new RecordingJobClient();
        using var starts = new InProcessRunStarts(
            () => throw new InvalidOperationException("nothing starts in process once stopped"), new HangfireRunStarts(jobs), Options.Create(new RunOptions()), NullLogger<InProcessRunStarts>.Instance);
        await starts.StartAsync(TestContext.Current.CancellationToken);
        await starts.StopAsync(TestContext.Current.CancellationToken);
        Guid[] runIds = [Guid.NewGuid(), Guid.NewGuid()];

        starts.Start(runIds);

        var job = Assert.Single(jobs.Jobs).Job;
        Assert.Equal((typeof(BenchmarkJob), nameof(BenchmarkJob.StartAllAsync)), (job.Type, job.Method.Name));
        Assert.Equal(runIds, (Guid[])job.Args[0]);
    }

    private RunTransitions Transitions(IOptions<RunOptions> options) =>
        new(Database.Factory, events, new RecordingNotifier(), new RecordingDispatchRequests(), options, TimeProvider.System);

    private BenchmarkJob Job(IRemoteNodeClient client, int startParallelism)
    {
        var options = Options.Create(new RunOptions { StartParallelism = startParallelism });
        return new BenchmarkJob(Database.Factory, client, Transitions(options), new RunSecrets(null!), Options.Create(new CallbackOptions()), options, TimeProvider.System, NullLogger<BenchmarkJob>.Instance);
    }

    /// <summary>Answers no start until <c>inFlightToAnswer</c> are waiting (or 30 s passed, so a serial job fails the test instead of hanging it).</summary>
    private sealed class GatedNodeClient(int inFlightToAnswer, string failing) : IRemoteNodeClient
    {
        private readonly TaskCompletionSource enough = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource enoughCalls = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int inFlight;
        private int mostInFlight;
        private int calls;

        public int Calls => calls;

        public int MostInFlight => mostInFlight;

        /// <summary>Done while a start is in flight, before it answers.</summary>
        public Func<Task>? WhileStarting { get; init; }

        /// <summary>How many starts complete <see cref="EnoughCalls"/>.</summary>
        public int SignalAfterCalls { get; init; } = int.MaxValue;

        public Task EnoughCalls => enoughCalls.Task;

        public async Task<int> StartRunAsync(Node node, RunParameters parameters, CancellationToken cancellationToken)
        {
            if (Interlocked.Increment(ref calls) >= SignalAfterCalls)
            {
                enoughCalls.TrySetResult();
            }

            var now = Interlocked.Increment(ref inFlight);
            InterlockedMax(ref mostInFlight, now);
            if (now >= inFlightToAnswer)
            {
                enough.TrySetResult();
            }

            try
            {
                if (WhileStarting is { } whileStarting)
                {
                    await whileStarting();
                }

                await enough.Task.WaitAsync(TimeSpan.FromSeconds(30), cancellationToken);
                return node.Name == failing ? throw new RemoteNodeException($"{node.Name} refused the start") : 4242;
            }
            finally
            {
                Interlocked.Decrement(ref inFlight);
            }
        }

        public Task StopRunAsync(Node node, Guid runId, int? pid, CancellationToken cancellationToken) => Task.CompletedTask;

        public Task<byte[]?> FetchResultsAsync(Node node, Guid runId, CancellationToken cancellationToken) => Task.FromResult<byte[]?>(null);

        public Task<NodeProbe> ProbeAsync(Node node, CancellationToken cancellationToken) => throw new NotSupportedException();

        private static void InterlockedMax(ref int target, int value)
        {
            int seen;
            while ((seen = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, seen) != seen)
            {
            }
        }
    }

    /// <summary>Hands out contexts only once <c>gate</c> has completed (or fails after 60 s, so a test fails instead of hanging).</summary>
    private sealed class GatedFactory(IDbContextFactory<VPNLens.Web.Persistence.AppDbContext> inner, Task gate) : IDbContextFactory<VPNLens.Web.Persistence.AppDbContext>
    {
        public VPNLens.Web.Persistence.AppDbContext CreateDbContext() => throw new NotSupportedException("The job creates its contexts asynchronously.");

        public async Task<VPNLens.Web.Persistence.AppDbContext> CreateDbContextAsync(CancellationToken cancellationToken = default)
        {
            await gate.WaitAsync(TimeSpan.FromSeconds(60), cancellationToken);
            return await inner.CreateDbContextAsync(cancellationToken);
        }
    }
}
