using VPNLens.Core.Phases;
using VPNLens.Core.Runs;

namespace VPNLens.Web.Runs;

/// <summary>
/// The dashboard's snapshot kept current in memory between full reads: a recorded phase moves its run's progress
/// without reading anything, and a run's change of state replaces what that run touches (its rows, its node's card).
/// </summary>
public sealed class LiveDashboard(DashboardSnapshot snapshot, int recent)
{
    public DashboardSnapshot Snapshot { get; private set; } = snapshot;

    /// <summary>Adds the phase to the node card whose current run it belongs to; false when no card shows that run.</summary>
    public bool Apply(PhaseRecorded recorded)
    {
        ArgumentNullException.ThrowIfNull(recorded);
        var nodes = Snapshot.Nodes.ToList();
        var at = nodes.FindIndex(n => n.Current?.Id == recorded.RunId);
        if (at < 0)
        {
            return false;
        }

        var status = nodes[at];
        var run = status.Current!;
        List<PhaseEvent> phases = [.. (status.CurrentPhases ?? []).Where(p => p.Id != recorded.Phase.Id).Append(recorded.Phase).OrderBy(p => p.Id)];
        nodes[at] = status with { CurrentPhases = phases, CurrentProgress = RunProgress.Of(run.Protocols, phases, run.State, run.StartedAt is not null) };
        Snapshot = Snapshot with { Nodes = nodes };
        return true;
    }

    /// <summary>Replaces the run's queue and recent rows and its node's card with what was read after it changed state.</summary>
    public void Apply(DashboardChange change)
    {
        ArgumentNullException.ThrowIfNull(change);
        var run = change.Run;
        var entry = new QueueEntry(run, change.NodeName, 0);

        var nodes = Snapshot.Nodes.Where(n => n.Node.Id != run.NodeId).ToList();
        if (change.Node is not null)
        {
            nodes.Add(change.Node);
        }

        var queue = Snapshot.Queue.Where(e => e.Run.Id != run.Id).ToList();
        if (run.State == RunState.Queued)
        {
            queue.Add(entry);
        }

        var recentRuns = Snapshot.Recent.ToList();
        var shown = recentRuns.FindIndex(e => e.Run.Id == run.Id);
        if (shown >= 0)
        {
            recentRuns[shown] = entry;
        }
        else
        {
            recentRuns.Add(entry);
        }

        Snapshot = new DashboardSnapshot(
            [.. nodes.OrderBy(n => n.Node.Name, StringComparer.Ordinal)],
            [.. queue.OrderBy(e => e.Run.QueuedAt).ThenBy(e => e.Run.QueueSequence).ThenBy(e => e.Run.Id).Select((e, i) => e with { Position = i + 1 })],
            [.. recentRuns.OrderByDescending(e => e.Run.QueuedAt).Take(recent)]);
    }
}
