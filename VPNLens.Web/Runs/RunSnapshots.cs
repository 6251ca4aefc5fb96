using Microsoft.EntityFrameworkCore;
using VPNLens.Core.Nodes;
using VPNLens.Core.Phases;
using VPNLens.Core.Runs;
using VPNLens.Web.Permalinks;
using VPNLens.Web.Persistence;

namespace VPNLens.Web.Runs;

/// <summary>A run as a page shows it, read in one short-lived context: the run, its node's name, its phases so far, its place in the queue.</summary>
public sealed record RunSnapshot(Run Run, string NodeName, IReadOnlyList<PhaseEvent> Phases, int Position)
{
    public RunProgress Progress => RunProgress.Of(Run.Protocols, Phases, Run.State, Run.StartedAt is not null);
}

/// <summary>A node's card on the dashboard; <paramref name="CurrentPhases"/> are the phases of <paramref name="Current"/> so far (a live dashboard keeps the latest report of each).</summary>
public sealed record NodeStatus(Node Node, Run? Current, RunProgress? CurrentProgress, Run? LastFinished, int Queued, IReadOnlyList<PhaseEvent>? CurrentPhases = null);

public sealed record QueueEntry(Run Run, string NodeName, int Position);

public sealed record DashboardSnapshot(IReadOnlyList<NodeStatus> Nodes, IReadOnlyList<QueueEntry> Queue, IReadOnlyList<QueueEntry> Recent);

/// <summary>What one run's change of state touches on the dashboard: the run and its node's card (null for a deleted node).</summary>
public sealed record DashboardChange(Run Run, string NodeName, NodeStatus? Node);

/// <summary>Reads what the dashboard pages show. The database is the truth; pages call these again when a run event says something changed.</summary>
public sealed class RunSnapshots(IDbContextFactory<AppDbContext> dbFactory)
{
    public async Task<RunSnapshot?> ByIdAsync(Guid runId, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var run = await db.Runs.AsNoTracking().FirstOrDefaultAsync(r => r.Id == runId, cancellationToken);
        return run is null ? null : await SnapshotAsync(db, run, cancellationToken);
    }

    public async Task<RunSnapshot?> ByTokenAsync(string? token, CancellationToken cancellationToken)
    {
        if (!PermalinkToken.IsWellFormed(token))
        {
            return null;
        }

        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var run = await db.Runs.AsNoTracking().FirstOrDefaultAsync(r => r.PublicToken == token, cancellationToken);
        return run is null ? null : await SnapshotAsync(db, run, cancellationToken);
    }

    /// <summary>
    /// How long each phase usually takes on a node: the median over its last few successful runs other than <paramref name="exceptRun"/>
    /// (of each phase that succeeded in them). Empty for a node with no history.
    /// </summary>
    public async Task<IReadOnlyDictionary<string, TimeSpan>> TypicalPhaseDurationsAsync(Guid nodeId, Guid exceptRun, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var runs = await db.Runs.AsNoTracking()
            .Where(r => r.NodeId == nodeId && r.Id != exceptRun && r.State == RunState.Succeeded && r.FinishedAt != null)
            .OrderByDescending(r => r.FinishedAt)
            .Select(r => r.Id)
            .Take(5)
            .ToListAsync(cancellationToken);
        var events = await db.PhaseEvents.AsNoTracking()
            .Where(e => runs.Contains(e.RunId) && e.Status == PhaseStatus.Succeeded)
            .ToListAsync(cancellationToken);
        return events
            .GroupBy(e => e.Phase)
            .ToDictionary(g => g.Key, g => TimeSpan.FromSeconds(Core.Statistics.Descriptive.Median([.. g.Select(e => e.Duration.TotalSeconds)])!.Value));
    }

    /// <summary>The state of the run with this permalink token (null when there is none).</summary>
    public async Task<RunState?> StateByTokenAsync(string token, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.Runs.AsNoTracking().Where(r => r.PublicToken == token).Select(r => (RunState?)r.State).FirstOrDefaultAsync(cancellationToken);
    }

    /// <summary>The run with this permalink token (<see cref="Guid.Empty"/> when there is none).</summary>
    public async Task<Guid> IdByTokenAsync(string token, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.Runs.AsNoTracking().Where(r => r.PublicToken == token).Select(r => r.Id).FirstOrDefaultAsync(cancellationToken);
    }

    /// <summary>What a live permalink page shows of the run, in brief (null when there is no such run).</summary>
    public async Task<LiveRunChange?> LiveChangeAsync(Guid runId, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var run = await db.Runs.AsNoTracking().FirstOrDefaultAsync(r => r.Id == runId, cancellationToken);
        if (run is null)
        {
            return null;
        }

        var phases = await db.PhaseEvents.AsNoTracking().CountAsync(e => e.RunId == run.Id, cancellationToken);
        return LiveRunChange.Of(run.State, phases, await RunQueue.PositionAsync(db, run, cancellationToken));
    }

    public async Task<DashboardSnapshot> DashboardAsync(int recent, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var nodes = await db.Nodes.AsNoTracking().OrderBy(n => n.Name).ToListAsync(cancellationToken);
        var names = nodes.ToDictionary(n => n.Id, n => n.Name);
        var active = await RunQueue.InQueueOrder(db.Runs.AsNoTracking()
                .Where(r => r.State == RunState.Queued || r.State == RunState.Running || r.RemoteStopPending))
            .ToListAsync(cancellationToken);
        var latest = await db.Runs.AsNoTracking().OrderByDescending(r => r.QueuedAt).Take(recent).ToListAsync(cancellationToken);

        var statuses = new List<NodeStatus>(nodes.Count);
        foreach (var node in nodes)
        {
            statuses.Add(await NodeStatusAsync(db, node, active.Where(r => r.NodeId == node.Id).ToList(), cancellationToken));
        }

        var queue = active.Where(r => r.State == RunState.Queued).Select((r, i) => new QueueEntry(r, NameOf(names, r.NodeId), i + 1)).ToList();
        var recentRuns = latest.Select(r => new QueueEntry(r, NameOf(names, r.NodeId), 0)).ToList();
        return new DashboardSnapshot(statuses, queue, recentRuns);
    }

    /// <summary>
    /// The run and its node's card, read again after the run changed state: a fixed handful of statements in one
    /// context however many nodes there are, where <see cref="DashboardAsync"/> reads every card. Null when the run is gone.
    /// </summary>
    public async Task<DashboardChange?> DashboardChangeAsync(Guid runId, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var run = await db.Runs.AsNoTracking().FirstOrDefaultAsync(r => r.Id == runId, cancellationToken);
        if (run is null)
        {
            return null;
        }

        var node = await db.Nodes.IgnoreQueryFilters().AsNoTracking().FirstOrDefaultAsync(n => n.Id == run.NodeId, cancellationToken);
        if (node is null || node.DeletedAt is not null)
        {
            return new DashboardChange(run, node?.Name ?? "a deleted node", null);
        }

        var active = await RunQueue.InQueueOrder(db.Runs.AsNoTracking()
                .Where(r => r.NodeId == node.Id && (r.State == RunState.Queued || r.State == RunState.Running || r.RemoteStopPending)))
            .ToListAsync(cancellationToken);
        return new DashboardChange(run, node.Name, await NodeStatusAsync(db, node, active, cancellationToken));
    }

    /// <summary>A node's card from its active runs (queued, running, or still being stopped).</summary>
    private static async Task<NodeStatus> NodeStatusAsync(AppDbContext db, Node node, List<Run> active, CancellationToken cancellationToken)
    {
        var last = await db.Runs.AsNoTracking()
            .Where(r => r.NodeId == node.Id && r.FinishedAt != null)
            .OrderByDescending(r => r.FinishedAt)
            .FirstOrDefaultAsync(cancellationToken);
        var current = active.FirstOrDefault(r => r.State == RunState.Running || r.RemoteStopPending);
        RunProgress? progress = null;
        List<PhaseEvent>? phases = null;
        if (current is not null)
        {
            phases = await db.PhaseEvents.AsNoTracking().Where(e => e.RunId == current.Id).OrderBy(e => e.Id).ToListAsync(cancellationToken);
            progress = RunProgress.Of(current.Protocols, phases, current.State, current.StartedAt is not null);
        }

        return new NodeStatus(node, current, progress, last, active.Count(r => r.State == RunState.Queued), phases);
    }

    private static async Task<RunSnapshot> SnapshotAsync(AppDbContext db, Run run, CancellationToken cancellationToken)
    {
        var nodeName = await db.Nodes.IgnoreQueryFilters().Where(n => n.Id == run.NodeId).Select(n => n.Name).FirstOrDefaultAsync(cancellationToken);
        var phases = await db.PhaseEvents.AsNoTracking().Where(e => e.RunId == run.Id).OrderBy(e => e.Id).ToListAsync(cancellationToken);
        var position = await RunQueue.PositionAsync(db, run, cancellationToken);
        return new RunSnapshot(run, nodeName ?? "a deleted node", phases, position);
    }

    private static string NameOf(Dictionary<Guid, string> names, Guid nodeId) => names.GetValueOrDefault(nodeId, "a deleted node");
}
