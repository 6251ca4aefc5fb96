using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using VPNLens.Core.Phases;
using VPNLens.Core.Results;
using VPNLens.Core.Runs;
using VPNLens.Tests.Infrastructure;

namespace VPNLens.Tests.Lab;

/// <summary>A WireGuard, Nebula, OpenVPN and IPsec run from POST /api/runs to Succeeded on the lab node.</summary>
[Collection(AppCollection.Name)]
[Trait("Category", "Lab")]
public sealed class EndToEndTests : LabAppTests
{
    protected override string Deadline => "00:08:00";

    [Fact]
    public async Task A_wireguard_nebula_openvpn_and_ipsec_run_reaches_succeeded_with_every_phase_and_result_stored()
    {
        var id = await QueueAsync("wireguard", "nebula", "openvpn", "ipsec");

        var run = await WaitForEndAsync(id);

        Assert.True(run.State == RunState.Succeeded, $"run ended {run.State}: {run.FailureReason}");
        var phases = await App.WithDbAsync(db => db.PhaseEvents.AsNoTracking().Where(e => e.RunId == id).ToListAsync());
        foreach (var protocol in new[] { "direct", "wireguard", "nebula", "openvpn", "ipsec" })
        {
            var reported = phases.Where(p => p.Protocol == protocol).Select(p => p.Phase).ToHashSet();
            Assert.True(Phase.InOrder.All(reported.Contains), $"{protocol} reported {string.Join(", ", reported)}");
            var failed = phases.Where(p => p.Protocol == protocol && p.Status == PhaseStatus.Failed).Select(p => $"{p.Phase}: {p.Detail}").ToList();
            Assert.True(failed.Count == 0, string.Join("; ", failed));
        }

        var results = await App.WithDbAsync(db => db.ProtocolResults.AsNoTracking().Where(r => r.RunId == id).ToListAsync());
        Assert.Equal(["direct", "ipsec", "nebula", "openvpn", "wireguard"], results.Select(r => r.Protocol).Order());
        var body = ResultsParser.Parse(System.Text.Encoding.UTF8.GetBytes(run.ResultsJson!));
        Assert.True(body.IsValid, body.Error);
        var sections = body.Value!.Protocols.ToDictionary(p => p.Protocol);
        foreach (var result in results)
        {
            Assert.True(result.Succeeded, $"{result.Protocol}: {result.ErrorPhase} {result.ErrorMessage}");
            Assert.True(result.UploadMedianBitsPerSecond > 0, $"{result.Protocol} upload");
            Assert.True(result.DownloadMedianBitsPerSecond > 0, $"{result.Protocol} download");
            Assert.True(result.LatencyIdleP50Ms > 0, $"{result.Protocol} latency");
            var report = sections[result.Protocol];
            var summary = ProtocolSummary.From(report);
            Assert.True(report.PathMtu >= report.Mtu, $"{result.Protocol} path MTU {report.PathMtu} below the interface's {report.Mtu}");
            Assert.True(summary.ParallelUploadBitsPerSecond?.Median > 0 && report.TcpParallel![0].Streams == 4, $"{result.Protocol} parallel upload");
            Assert.True(summary.BidirUploadBitsPerSecond?.Median > 0 && summary.BidirDownloadBitsPerSecond?.Median > 0, $"{result.Protocol} bidirectional");
            Assert.True(summary.LatencyLoaded?.P50Ms > 0, $"{result.Protocol} latency under load");
            TestContext.Current.SendDiagnosticMessage($"{result.Protocol}: up {result.UploadMedianBitsPerSecond / 1e6:0} Mbit/s, down {result.DownloadMedianBitsPerSecond / 1e6:0} Mbit/s, -P 4 up {summary.ParallelUploadBitsPerSecond!.Median / 1e6:0} Mbit/s, bidir {summary.BidirUploadBitsPerSecond!.Median / 1e6:0}/{summary.BidirDownloadBitsPerSecond!.Median / 1e6:0} Mbit/s, p50 {result.LatencyIdleP50Ms:0.###} ms idle, {summary.LatencyLoaded!.P50Ms:0.###} ms loaded, path MTU {report.PathMtu}, setup {result.SetupMs} ms, recovery {result.RecoveryMs} ms");
        }

        Assert.All(results.Where(r => r.Protocol != "direct"), r => Assert.True(r.RecoveryMs > 0 && r.SetupMs > 0, $"{r.Protocol} setup/recovery"));
        Assert.Equal(1420, sections["wireguard"].Mtu);
        Assert.Equal(1400, sections["ipsec"].Mtu);
    }
}
