using Hangfire.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using VPNLens.Core.Nodes;
using VPNLens.Core.Runs;
using VPNLens.Tests.Infrastructure;
using VPNLens.Web.Persistence;
using VPNLens.Web.Runs;

namespace VPNLens.Tests.Web.Runs;

public sealed class RunDispatcherTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Start = DateTimeOffset.Parse("2026-12-05T08:00:00Z", System.Globalization.CultureInfo.InvariantCulture);
    private readonly RunEvents events = new(NullLogger<RunEvents>.Instance);
    private readonly RecordingJobClient jobs = new();
    private TestDatabase? database;
    private SqlCommandCounter commands = null!;

    private TestDatabase Database => database!;

    public async ValueTask InitializeAsync()
    {
        commands = new SqlCommandCounter(() => database?.Marker);
        database = await TestDatabase.CreateAsync();
    }

    public async ValueTask DisposeAsync()
    {
        commands.Dispose();
        events.Dispose();
        await Database.DisposeAsync();
    }

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
        await Database.AddAsync([node1, node2, node3, node4, running, first, sharesFirstsEndpoint, otherEndpoint, secondOnNode1, behindRunningLease, secondOnNode2]);
        await Database.AddAsync([.. RunResources.Of(node4).Select(r => new RunLease { Resource = r, RunId = running.Id, TakenAt = Start, ExpiresAt = Start.AddHours(1) })]);
        var dispatcher = new RunDispatcher(Database.Factory, null!, null!, Options.Create(new RunOptions()), TimeProvider.System, NullLogger<RunDispatcher>.Instance);

        var startable = await dispatcher.StartableAsync(TestContext.Current.CancellationToken);

        Assert.Equal([first.Id, otherEndpoint.Id], startable.Select(s => s.RunId));
        Assert.Equal(RunResources.Of(node2), startable[1].Resources);
    }

    [Fact]
    public async Task A_run_another_dispatcher_starts_while_a_round_reads_keeps_the_run_behind_it_waiting()
    {
        var node = Node("node", "vl-ep1");
        var first = Queued(node, 1);
        var behind = Queued(node, 2);
        await Database.AddAsync([node, first, behind]);
        var dispatcher = new RunDispatcher(Database.Factory, null!, null!, Options.Create(new RunOptions()), TimeProvider.System, NullLogger<RunDispatcher>.Instance);
        commands.CountThisFlow();
        commands.BeforeSecondFlowRead(() =>
        {
            // Another dispatcher's chunk commits the first run's start, with its leases, between the round's two reads.
            using var other = Database.Factory.CreateDbContext();
            using var transaction = other.Database.BeginTransaction();
            other.Runs.Where(r => r.Id == first.Id).ExecuteUpdate(u => u.SetProperty(r => r.State, RunState.Running));
            other.RunLeases.AddRange(RunResources.Of(node).Select(r => new RunLease { Resource = r, RunId = first.Id, TakenAt = Start, ExpiresAt = Start.AddHours(1) }));
            other.SaveChanges();
            transaction.Commit();
        });

        var startable = await dispatcher.StartableAsync(TestContext.Current.CancellationToken);

        Assert.Equal(2, commands.FlowReads);
        Assert.DoesNotContain(startable, s => s.RunId == behind.Id);
    }

    [Fact]
    public async Task A_round_with_many_startable_runs_starts_them_in_a_few_transactions_and_jobs_each_run_with_its_leases()
    {
        var nodes = Enumerable.Range(0, 120).Select(i => Node($"node{i}", $"vl-ep{i}")).ToList();
        var runs = nodes.Select((node, i) => Queued(node, i)).ToList();
        await Database.AddAsync([.. nodes, .. runs]);
        commands.Reset();

        await Dispatcher().DispatchAsync(TestContext.Current.CancellationToken);

        // One transaction per chunk of 50, not one per run; bound loose.
        Assert.InRange(commands.Commits, 1, 10);
        Assert.All(await StatesAsync(), s => Assert.Equal(RunState.Running, s.Value));
        var leases = await Database.WithDbAsync(db => db.RunLeases.AsNoTracking().ToListAsync());
        Assert.Equal(
            runs.SelectMany(r => RunResources.Of(r.NodeId, nodes.Single(n => n.Id == r.NodeId).Endpoint).Select(resource => (resource, r.Id))).Order(),
            leases.Select(l => (l.Resource, l.RunId)).Order());
        // One benchmark job per transaction's runs, not one per run.
        var startJobs = StartJobs();
        Assert.InRange(startJobs.Count, 1, 10);
        Assert.Equal(runs.Select(r => r.Id).Order(), startJobs.SelectMany(j => j).Order());
    }

    [Fact]
    public async Task A_chunk_in_which_one_run_lost_its_lease_to_another_dispatcher_still_starts_the_others()
    {
        var nodeA = Node("nodeA", "vl-epA");
        var nodeB = Node("nodeB", "vl-epB");
        var nodeC = Node("nodeC", "vl-epC");
        var elsewhere = Node("elsewhere", "vl-epB");
        var a = Queued(nodeA, 1);
        var b = Queued(nodeB, 2);
        var c = Queued(nodeC, 3);
        var other = Queued(elsewhere, 0);
        other.State = RunState.Running;
        await Database.AddAsync([nodeA, nodeB, nodeC, elsewhere, a, b, c, other]);
        // Another dispatcher took b's endpoint after this one found b startable.
        await Database.AddAsync(new RunLease { Resource = RunResources.Of(elsewhere)[1], RunId = other.Id, TakenAt = Start, ExpiresAt = Start.AddHours(1) });
        Assert.Contains(RunResources.Of(elsewhere)[1], RunResources.Of(nodeB));

        var started = await Dispatcher().StartAsync([(a.Id, RunResources.Of(nodeA)), (b.Id, RunResources.Of(nodeB)), (c.Id, RunResources.Of(nodeC))], TestContext.Current.CancellationToken);

        Assert.Equal([a.Id, c.Id], started.Select(s => s.RunId));
        var states = await StatesAsync();
        Assert.Equal(RunState.Running, states[a.Id]);
        Assert.Equal(RunState.Queued, states[b.Id]);
        Assert.Equal(RunState.Running, states[c.Id]);
        var leases = await Database.WithDbAsync(db => db.RunLeases.AsNoTracking().ToListAsync());
        Assert.DoesNotContain(leases, l => l.RunId == b.Id);
        Assert.Equal(RunResources.Of(nodeA).Concat(RunResources.Of(nodeC)).Order(), leases.Where(l => l.RunId == a.Id || l.RunId == c.Id).Select(l => l.Resource).Order());
    }

    [Fact]
    public async Task A_chunk_starts_its_runs_in_a_few_statements_not_two_a_run_and_skips_one_another_writer_ended()
    {
        var nodes = Enumerable.Range(0, 50).Select(i => Node($"node{i}", $"vl-ep{i}")).ToList();
        var runs = nodes.Select((node, i) => Queued(node, i)).ToList();
        runs[7].State = RunState.Cancelled;
        await Database.AddAsync([.. nodes, .. runs]);
        commands.Reset();

        var started = await Dispatcher().StartAsync([.. runs.Select(r => (r.Id, RunResources.Of(r.NodeId, nodes.Single(n => n.Id == r.NodeId).Endpoint)))], TestContext.Current.CancellationToken);

        // A read, an update, the leases' insert (a statement a row on SQLite) and the transaction's own; moving each run
        // by itself would add two statements a run.
        var leaseRows = 49 * 2;
        Assert.InRange(commands.Count, 1, leaseRows + 12);
        Assert.Equal(runs.Where(r => r != runs[7]).Select(r => r.Id), started.Select(s => s.RunId));
        var stored = await Database.WithDbAsync(db => db.Runs.AsNoTracking().ToDictionaryAsync(r => r.Id));
        Assert.Equal(RunState.Cancelled, stored[runs[7].Id].State);
        Assert.All(started, s =>
        {
            var run = stored[s.RunId];
            Assert.Equal(RunState.Running, run.State);
            Assert.Equal(s.Transition.Start!.At, run.StartedAt);
            Assert.Equal(run.StartedAt + run.Timeout, run.DeadlineAt);
        });
        Assert.Equal(leaseRows, await Database.WithDbAsync(db => db.RunLeases.CountAsync()));
    }

    [Fact]
    public async Task On_postgres_a_chunk_starts_the_runs_no_other_dispatcher_holds_without_waiting_for_those_it_holds()
    {
        Assert.SkipUnless(TestPostgres.SuiteProvider == DatabaseProvider.Postgres, "Row locks that a chunk can skip are PostgreSQL's; SQLite lets one writer in at a time.");
        var nodes = Enumerable.Range(0, 5).Select(i => Node($"node{i}", $"vl-ep{i}")).ToList();
        var runs = nodes.Select((node, i) => Queued(node, i)).ToList();
        await Database.AddAsync([.. nodes, .. runs]);
        (Guid, IReadOnlyList<string>)[] chunk = [.. runs.Select(r => (r.Id, RunResources.Of(r.NodeId, nodes.Single(n => n.Id == r.NodeId).Endpoint)))];
        Guid[] held = [runs[1].Id, runs[3].Id];

        // Another dispatcher's chunk holds two of the runs in a transaction it has not committed.
        await using var other = await Database.Factory.CreateDbContextAsync(TestContext.Current.CancellationToken);
        await using var otherTransaction = await other.Database.BeginTransactionAsync(TestContext.Current.CancellationToken);
        await other.Database.ExecuteSqlAsync($"""SELECT 1 FROM "Runs" WHERE "Id" = ANY({held}) FOR UPDATE""", TestContext.Current.CancellationToken);

        // Waiting on those rows would hang until the token (not a timing assertion: a guard against a hung test).
        using var guard = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        guard.CancelAfter(TimeSpan.FromMinutes(2));
        var started = await Dispatcher().StartAsync(chunk, guard.Token);

        Assert.Equal([runs[0].Id, runs[2].Id, runs[4].Id], started.Select(s => s.RunId));
        await otherTransaction.RollbackAsync(TestContext.Current.CancellationToken);
        var states = await StatesAsync();
        Assert.All(held, id => Assert.Equal(RunState.Queued, states[id]));

        // Once the other dispatcher lets go, the next round starts them.
        var later = await Dispatcher().StartAsync([.. chunk.Where(c => held.Contains(c.Item1))], TestContext.Current.CancellationToken);

        Assert.Equal(held, later.Select(s => s.RunId));
        Assert.Equal(5, await Database.WithDbAsync(db => db.Runs.CountAsync(r => r.State == RunState.Running)));
    }

    private RunDispatcher Dispatcher()
    {
        var transitions = new RunTransitions(Database.Factory, events, new RecordingNotifier(), new RecordingDispatchRequests(), Options.Create(new RunOptions()), TimeProvider.System);
        return new RunDispatcher(Database.Factory, transitions, new HangfireRunStarts(jobs), Options.Create(new RunOptions()), TimeProvider.System, NullLogger<RunDispatcher>.Instance);
    }

    private Task<Dictionary<Guid, RunState>> StatesAsync() =>
        Database.WithDbAsync(db => db.Runs.AsNoTracking().ToDictionaryAsync(r => r.Id, r => r.State));

    private List<Guid[]> StartJobs() =>
        [.. jobs.Jobs.Select(j => j.Job).Where(j => j.Type == typeof(BenchmarkJob)).Select(j => (Guid[])j.Args[0])];

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
