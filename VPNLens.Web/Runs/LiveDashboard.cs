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
    public bool Apply(PhaseRecorded recorded) => Apply([recorded]) > 0;

    /// <summary>
    /// Adds the phases to the node cards whose current runs they belong to, each card's progress worked out once for all of
    /// them; returns how many phases a card showed. A card keeps only the latest report of each phase of each protocol (by
    /// id, as <see cref="RunProgress"/> reads them), so a phase reported again and again costs no more to show than once.
    /// </summary>
    public int Apply(IReadOnlyCollection<PhaseRecorded> recorded)
    {
        ArgumentNullException.ThrowIfNull(recorded);
        var nodes = Snapshot.Nodes.ToList();
        var applied = 0;
        foreach (var run in recorded.GroupBy(r => r.RunId))
        {
            var at = nodes.FindIndex(n => n.Current?.Id == run.Key);
            if (at < 0)
            {
                continue;
            }

            var status = nodes[at];
            var current = status.Current!;
            List<PhaseEvent> phases = [.. (status.CurrentPhases ?? []).Concat(run.Select(r => r.Phase))
                .GroupBy(p => (p.Protocol, p.Phase))
                .Select(g => g.MaxBy(p => p.Id)!)
                .OrderBy(p => p.Id)];
            nodes[at] = status with { CurrentPhases = phases, CurrentProgress = RunProgress.Of(current.Protocols, phases, current.State, current.StartedAt is not null) };
            applied += run.Count();
        }

        if (applied > 0)
        {
            Snapshot = Snapshot with { Nodes = nodes };
        }

        return applied;
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
