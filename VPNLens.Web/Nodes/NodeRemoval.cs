using Microsoft.EntityFrameworkCore;
using VPNLens.Core.Runs;
using VPNLens.Web.Persistence;
using VPNLens.Web.Runs;
using VPNLens.Web.Schedules;

namespace VPNLens.Web.Nodes;

public enum NodeRemovalStatus
{
    Deleted,
    NotFound,

    /// <summary>A run is measuring on the node: it must end (or be cancelled) first.</summary>
    RunInProgress,

    /// <summary>Runs wait for the node: deleting it cancels them, so the caller must say so.</summary>
    QueuedRunsNeedConfirmation,
}

public sealed record NodeRemovalOutcome(NodeRemovalStatus Status, int QueuedRuns = 0, Guid? RunningRunId = null)
{
    public string? Problem => Status switch
    {
        NodeRemovalStatus.RunInProgress => $"Run {RunningRunId} is running on this node; cancel it or wait for it to end, then delete the node.",
        NodeRemovalStatus.QueuedRunsNeedConfirmation => $"{QueuedRuns} queued run(s) wait for this node; deleting it cancels them (confirm with cancelQueuedRuns=true).",
        _ => null,
    };
}

/// <summary>
/// Deletes a node (marked deleted: gone from every list, its name free again) and its schedules. Its runs, their
/// results and permalinks stay and keep its name;
/// queued runs are cancelled through the queue, and only when the caller confirmed it.
/// </summary>
public sealed class NodeRemoval(IDbContextFactory<AppDbContext> dbFactory, RunQueue queue, ScheduleJobs scheduleJobs, TimeProvider time, ILogger<NodeRemoval> logger)
{
    public async Task<NodeRemovalOutcome> DeleteAsync(Guid nodeId, bool cancelQueuedRuns, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        if (!await db.Nodes.AnyAsync(n => n.Id == nodeId, cancellationToken))
        {
            return new NodeRemovalOutcome(NodeRemovalStatus.NotFound);
        }

        var active = await db.Runs.AsNoTracking()
            .Where(r => r.NodeId == nodeId && (r.State == RunState.Queued || r.State == RunState.Running))
            .Select(r => new { r.Id, r.State })
            .ToListAsync(cancellationToken);
        if (active.FirstOrDefault(r => r.State == RunState.Running) is { } running)
        {
            return new NodeRemovalOutcome(NodeRemovalStatus.RunInProgress, RunningRunId: running.Id);
        }

        if (active.Count > 0 && !cancelQueuedRuns)
        {
            return new NodeRemovalOutcome(NodeRemovalStatus.QueuedRunsNeedConfirmation, active.Count);
        }

        foreach (var run in active)
        {
            await queue.CancelAsync(run.Id, cancellationToken);
        }

        var scheduleIds = await db.Schedules.Where(s => s.NodeId == nodeId).Select(s => s.Id).ToListAsync(cancellationToken);
        await db.ScheduledRuns.Where(s => scheduleIds.Contains(s.ScheduleId)).ExecuteDeleteAsync(cancellationToken);
        await db.Schedules.Where(s => s.NodeId == nodeId).ExecuteDeleteAsync(cancellationToken);
        foreach (var scheduleId in scheduleIds)
        {
            scheduleJobs.Remove(scheduleId);
        }

        await db.Nodes.Where(n => n.Id == nodeId).ExecuteUpdateAsync(s => s.SetProperty(n => n.DeletedAt, time.GetUtcNow()), cancellationToken);
        logger.LogInformation("Deleted node {NodeId} with {Schedules} schedule(s); {Cancelled} queued run(s) cancelled", nodeId, scheduleIds.Count, active.Count);
        return new NodeRemovalOutcome(NodeRemovalStatus.Deleted, active.Count);
    }
}
