using VPNLens.Core.Results;
using VPNLens.Core.Runs;

namespace VPNLens.Tests.Infrastructure;

/// <summary>Finished runs with stored per-protocol results, to give a node a history.</summary>
public static class HistorySeed
{
    /// <summary>
    /// One run a day ending at <paramref name="end"/>, the WireGuard download of each from <paramref name="downloadMbps"/>
    /// (null: that run failed); direct measures a steady 940 Mbit/s.
    /// </summary>
    public static List<object> Daily(Guid nodeId, DateTimeOffset end, params double?[] downloadMbps)
    {
        var rows = new List<object>();
        for (var i = 0; i < downloadMbps.Length; i++)
        {
            var at = end.AddDays(i - downloadMbps.Length + 1);
            var mbps = downloadMbps[i];
            var run = Seed.Run(nodeId, mbps is null ? RunState.Failed : RunState.Succeeded, protocols: [Protocols.WireGuard]);
            run.QueuedAt = at.AddMinutes(-5);
            run.StartedAt = at.AddMinutes(-4);
            run.FinishedAt = at;
            run.DeadlineAt = at.AddMinutes(10);
            rows.Add(run);
            rows.Add(Result(run, Protocols.Direct, mbps is null ? null : 940));
            rows.Add(Result(run, Protocols.WireGuard, mbps));
        }

        return rows;
    }

    private static ProtocolResult Result(Run run, string protocol, double? downloadMbps) => new()
    {
        RunId = run.Id,
        NodeId = run.NodeId,
        FinishedAt = run.FinishedAt!.Value,
        Protocol = protocol,
        Succeeded = downloadMbps is not null,
        ErrorMessage = downloadMbps is null ? "tunnel did not come up" : null,
        DownloadMedianBitsPerSecond = downloadMbps * 1e6,
        UploadMedianBitsPerSecond = downloadMbps * 0.9e6,
        LatencyIdleP50Ms = downloadMbps is null ? null : 12,
    };
}
