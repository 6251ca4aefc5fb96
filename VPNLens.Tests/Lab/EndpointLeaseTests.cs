using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using VPNLens.Core.Phases;
using VPNLens.Core.Runs;
using VPNLens.Tests.Infrastructure;

namespace VPNLens.Tests.Lab;

/// <summary>
/// Leases on what a run uses, for real: a lab of three nodes and two VPN endpoint hosts (node1 and node3 measure against
/// vl-cp, the control plane's endpoint; node2 against vl-ep2). Twenty short runs queued over the three nodes: runs on
/// disjoint node/endpoint pairs overlap, runs sharing an endpoint never do and start in their queue order, and every run
/// ends Succeeded after exactly one run.sh on its own node. Times are the server's stored ones.
/// </summary>
[Collection(AppCollection.Name)]
[Trait("Category", "Lab")]
public sealed partial class EndpointLeaseTests : LabAppTests
{
    private const int RunCount = 20;

    protected override string Deadline => "00:05:00";

    protected override int LabNodes => 3;

    protected override int LabEndpoints => 2;

    protected override IReadOnlyDictionary<string, string?> ExtraConfiguration { get; } = new Dictionary<string, string?>
    {
        ["Endpoints:Names:0"] = "vl-ep2",
        ["Runs:Settings:TcpSeconds"] = "1",
        ["Runs:Settings:UdpSeconds"] = "1",
        ["Runs:Settings:OmitSeconds"] = "0",
        ["Runs:Settings:MaxRepeats"] = "1",
        ["Runs:Settings:PingCount"] = "3",
        ["Runs:Settings:ParallelStreams"] = "2",
        ["Runs:Settings:UdpTargetMbps"] = "20",
    };

    [Fact]
    public async Task Twenty_runs_over_two_endpoints_overlap_only_where_they_share_nothing_keep_their_order_and_each_run_once()
    {
        var (node1, node2, node3) = (NodeIds[0], NodeIds[1], NodeIds[2]);
        int[] pattern = [0, 1, 2, 1];
        var queued = new List<(Guid Id, int NodeIndex)>();
        for (var i = 0; i < RunCount; i++)
        {
            var index = pattern[i % pattern.Length];
            queued.Add((await QueueOnAsync(NodeIds[index], "wireguard"), index));
        }

        var runs = new List<Run>();
        foreach (var (id, _) in queued)
        {
            runs.Add(await WaitForEndAsync(id));
        }

        Assert.All(runs, r => Assert.True(r.State == RunState.Succeeded, $"run {r.Id} ended {r.State}: {r.FailureReason}"));
        Assert.Equal(RunCount, runs.Select(r => r.Id).Distinct().Count());
        Assert.Equal(RunCount, await App.WithDbAsync(db => db.Runs.CountAsync()));

        // Disjoint pairs: the first runs on node1 (vl-cp) and node2 (vl-ep2), queued together, overlap.
        var first1 = runs[0];
        var first2 = runs[1];
        var overlap = Min(first1.FinishedAt!.Value, first2.FinishedAt!.Value) - Max(first1.StartedAt!.Value, first2.StartedAt!.Value);
        Assert.True(overlap > TimeSpan.Zero, $"node1's run {first1.StartedAt:O}–{first1.FinishedAt:O} and node2's {first2.StartedAt:O}–{first2.FinishedAt:O} did not overlap");

        // Shared endpoint vl-cp (node1, node3), and node2 alone on vl-ep2: serial, in queue order.
        var sharedEndpoint = runs.Where(r => r.NodeId == node1 || r.NodeId == node3).ToList();
        AssertSerialInQueueOrder(sharedEndpoint, "node1 and node3 (endpoint vl-cp)");
        AssertSerialInQueueOrder([.. runs.Where(r => r.NodeId == node2)], "node2 (endpoint vl-ep2)");

        // Each run ran once, on its own node: one run.sh start in its run.log, no run directory elsewhere, one
        // report of each phase per protocol.
        var phases = await App.WithDbAsync(db => db.PhaseEvents.AsNoTracking().ToListAsync());
        for (var i = 0; i < RunCount; i++)
        {
            var (id, index) = queued[i];
            var log = await File.ReadAllTextAsync(Path.Combine(NodeHome(index), "runs", id.ToString(), "run.log"), TestContext.Current.CancellationToken);
            Assert.Single(RunShStart().Matches(log));
            for (var other = 0; other < LabNodes; other++)
            {
                Assert.True(other == index || !Directory.Exists(Path.Combine(NodeHome(other), "runs", id.ToString())), $"run {id} also ran on node{other + 1}");
            }

            var reported = phases.Where(p => p.RunId == id).GroupBy(p => (p.Protocol, p.Phase)).ToList();
            Assert.All(reported, g => Assert.True(g.Count() == 1, $"run {id} reported {g.Key} {g.Count()} times"));
            Assert.Equal(2, reported.Count(g => g.Key.Phase == Phase.StopEverything));
        }

        var span = runs.Max(r => r.FinishedAt!.Value) - runs.Min(r => r.StartedAt!.Value);
        var busy = runs.Sum(r => (r.FinishedAt!.Value - r.StartedAt!.Value).TotalSeconds);
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"{RunCount} runs: first node1/node2 runs overlapped {overlap.TotalSeconds:0.0} s; all ended {span.TotalSeconds:0} s after the first started, {busy:0} run-seconds in all ({busy / span.TotalSeconds:0.00} runs at a time on average).");
    }

    private static void AssertSerialInQueueOrder(List<Run> runs, string what)
    {
        var byStart = runs.OrderBy(r => r.StartedAt).ToList();
        Assert.Equal(runs.OrderBy(r => r.QueueSequence).Select(r => r.Id), byStart.Select(r => r.Id));
        for (var i = 1; i < byStart.Count; i++)
        {
            Assert.True(
                byStart[i].StartedAt >= byStart[i - 1].FinishedAt,
                $"{what}: run {byStart[i].Id} started {byStart[i].StartedAt:O} before run {byStart[i - 1].Id} finished {byStart[i - 1].FinishedAt:O}");
        }
    }

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;

    [GeneratedRegex(@"run\.sh \(pid \d+\) starting with ")]
    private static partial Regex RunShStart();
}
