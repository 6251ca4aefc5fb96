using System.Text.Json;
using VPNLens.Core.Results;
using VPNLens.Core.Runs;

namespace VPNLens.Web.Callbacks;

/// <summary>What a results body means for the run, and the per-protocol rows it stores.</summary>
internal static class ResultsOutcome
{
    /// <summary>The trigger the results fire and the reason the run shows: why it failed, or how many protocols did.</summary>
    public static (RunTrigger Trigger, string? Reason) Of(ResultsReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var succeeded = report.Status == "succeeded";
        var failed = report.Protocols.Where(p => !p.Succeeded).ToList();
        var trigger = RunLifecycle.ResultsTrigger(succeeded, failed.Count);
        if (trigger == RunTrigger.ResultsSucceeded)
        {
            return (trigger, null);
        }

        if (trigger == RunTrigger.ResultsPartlyFailed)
        {
            var which = string.Join("; ", failed.Select(p => $"{p.Protocol}{(p.Error?.Phase is null ? string.Empty : $" / {p.Error.Phase}")}: {p.Error?.Message ?? "failed"}"));
            return (trigger, $"{failed.Count} of {report.Protocols.Count} protocols failed: {which}");
        }

        var error = report.Error;
        var where = error?.Protocol is null ? string.Empty : $"{error.Protocol}{(error.Phase is null ? string.Empty : $" / {error.Phase}")}: ";
        return (trigger, where + (error?.Message ?? "The node reported the run failed."));
    }

    public static IEnumerable<ProtocolResult> Rows(Guid runId, ResultsReport report)
    {
        var rows = new List<ProtocolResult>();
        for (var i = 0; i < report.Protocols.Count; i++)
        {
            var protocol = report.Protocols[i];
            if (rows.Any(r => r.Protocol == protocol.Protocol))
            {
                continue;
            }

            var summary = ProtocolSummary.From(protocol);
            rows.Add(new ProtocolResult
            {
                RunId = runId,
                Protocol = protocol.Protocol,
                Succeeded = protocol.Succeeded,
                ErrorPhase = protocol.Error?.Phase,
                ErrorMessage = protocol.Error?.Message,
                UploadMedianBitsPerSecond = summary.UploadBitsPerSecond?.Median,
                DownloadMedianBitsPerSecond = summary.DownloadBitsPerSecond?.Median,
                LatencyIdleP50Ms = summary.LatencyIdle?.P50Ms,
                UdpJitterMs = summary.UdpJitterMs?.Median,
                UdpLossPercent = summary.UdpLossPercent?.Median,
                SetupMs = summary.SetupMs,
                RecoveryMs = summary.RecoveryMs,
            });
        }

        return rows;
    }
}
