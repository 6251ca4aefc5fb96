using System.Text.Json;
using VPNLens.Core.Results;
using VPNLens.Core.Runs;
using VPNLens.Core.Statistics;

namespace VPNLens.Core.Verdicts;

/// <summary>
/// Why a run's figures may not be trusted: repetitions that never settled, a baseline that loses packets, or a node
/// that was busy (load average above its cores, CPU steal) between the environment's before and after readings.
/// </summary>
public static class NoiseCheck
{
    public const double DirectUdpLossLimitPercent = 1;
    public const double StealLimitPercent = 5;

    public static NoiseReport Of(ResultsReport report, double noiseFloorPercent)
    {
        ArgumentNullException.ThrowIfNull(report);
        var reasons = new List<string>();
        foreach (var protocol in report.Protocols.Where(p => p.Succeeded))
        {
            var name = Protocols.DisplayName(protocol.Protocol);
            foreach (var (label, samples) in new[] { ("TCP upload", protocol.TcpUpload), ("TCP download", protocol.TcpDownload) })
            {
                if (SampleSummary.Of([.. (samples ?? []).Select(s => s.BitsPerSecond)]) is { Count: >= 2 } summary
                    && summary.RelativeStandardDeviationPercent > noiseFloorPercent)
                {
                    reasons.Add($"{name} {label} still varied {SignificantFigures.Format(summary.RelativeStandardDeviationPercent, 2)} % over {summary.Count} repetitions (settled is {SignificantFigures.Format(noiseFloorPercent)} % or less)");
                }
            }
        }

        if (report.Protocols.FirstOrDefault(p => p.Protocol == Protocols.Direct && p.Succeeded) is { } direct)
        {
            if (direct.LatencyIdle is { Sent: > 0 } ping && ping.Received < ping.Sent)
            {
                reasons.Add($"direct (no VPN) lost {ping.Sent - ping.Received} of {ping.Sent} pings: the link itself drops packets");
            }

            var udpLoss = Descriptive.Median([.. (direct.Udp ?? []).Select(ProtocolSummary.LossPercent).OfType<double>()]);
            if (udpLoss > DirectUdpLossLimitPercent)
            {
                reasons.Add($"direct (no VPN) lost {SignificantFigures.Format(udpLoss.Value)} % of UDP at the target rate: the link itself drops packets");
            }
        }

        reasons.AddRange(NodeLoad(report.Environment));
        return new NoiseReport(reasons);
    }

    private static IEnumerable<string> NodeLoad(Dictionary<string, JsonElement>? environment)
    {
        if (environment is null)
        {
            yield break;
        }

        var cores = Number(environment, "cpuCores") is { } c and > 0 ? c : 1;
        var before = Reading(environment, "nodeLoadBefore");
        var after = Reading(environment, "nodeLoadAfter");
        foreach (var (when, reading) in new[] { ("before", before), ("after", after) })
        {
            if (reading?.Load1 is { } load && load > cores)
            {
                yield return $"the node's load average was {SignificantFigures.Format(load)} on {cores} cores {when} the run";
            }
        }

        if (before?.CpuTicks is { } t0 && after?.CpuTicks is { } t1 && t1 > t0 && before.StealTicks is { } s0 && after.StealTicks is { } s1)
        {
            var steal = (s1 - s0) / (t1 - t0) * 100;
            if (steal > StealLimitPercent)
            {
                yield return $"the hypervisor stole {SignificantFigures.Format(steal, 2)} % of the node's CPU during the run";
            }
        }
    }

    private sealed record LoadReading(double? Load1, double? CpuTicks, double? StealTicks);

    private static LoadReading? Reading(Dictionary<string, JsonElement> environment, string key) =>
        environment.TryGetValue(key, out var e) && e.ValueKind == JsonValueKind.Object
            ? new LoadReading(Number(e, "load1"), Number(e, "cpuTicks"), Number(e, "stealTicks"))
            : null;

    private static double? Number(Dictionary<string, JsonElement> values, string key) =>
        values.TryGetValue(key, out var e) && e.ValueKind == JsonValueKind.Number ? e.GetDouble() : null;

    private static double? Number(JsonElement element, string key) =>
        element.TryGetProperty(key, out var e) && e.ValueKind == JsonValueKind.Number ? e.GetDouble() : null;
}
