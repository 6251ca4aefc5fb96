using System.Globalization;
using System.Net;
using System.Text;
using VPNLens.Core.Results;
using VPNLens.Core.Runs;

namespace VPNLens.Web.Email;

/// <summary>The one email a requester gets when a run ends: the permalink and the headline figures, or why it failed.</summary>
public static class RunEmailComposer
{
    public static EmailMessage Compose(Run run, string nodeName, string permalink)
    {
        ArgumentNullException.ThrowIfNull(run);
        var outcome = run.State switch
        {
            RunState.Succeeded => "finished",
            RunState.Completed => "finished, some protocols failed",
            RunState.TimedOut => "timed out",
            RunState.Failed => "failed",
            _ => run.State.ToString().ToLowerInvariant(),
        };
        var subject = $"VPNLens: your benchmark on {nodeName} {outcome}";
        var lines = new List<string> { $"Your VPNLens benchmark on {nodeName} ({string.Join(", ", run.Protocols.Select(Protocols.DisplayName))}) {outcome}.", string.Empty };
        if (run.FailureReason is not null)
        {
            lines.Add($"Reason: {run.FailureReason}");
            lines.Add(string.Empty);
        }

        var report = run.ResultsJson is null ? null : ResultsParser.Parse(Encoding.UTF8.GetBytes(run.ResultsJson)).Value;
        if (report is not null)
        {
            foreach (var protocol in RunReport.From(report).Protocols)
            {
                lines.Add(Headline(protocol));
            }

            lines.Add(string.Empty);
        }

        lines.Add($"Full results: {permalink}");
        var text = string.Join('\n', lines) + "\n";
        var html = new StringBuilder("<html><body style=\"font-family:sans-serif\">");
        foreach (var line in lines.Where(l => l.Length > 0 && !l.StartsWith("Full results", StringComparison.Ordinal)))
        {
            html.Append(CultureInfo.InvariantCulture, $"<p>{WebUtility.HtmlEncode(line)}</p>");
        }

        html.Append(CultureInfo.InvariantCulture, $"<p><a href=\"{WebUtility.HtmlEncode(permalink)}\">Open the full results</a></p></body></html>");
        return new EmailMessage(run.RequesterEmail, subject, text, html.ToString());
    }

    private static string Headline(ProtocolSummary p)
    {
        if (!p.Succeeded)
        {
            return $"{Protocols.DisplayName(p.Protocol)}: failed at {p.Error?.Phase ?? "?"}: {p.Error?.Message}";
        }

        return string.Create(CultureInfo.InvariantCulture, $"{Protocols.DisplayName(p.Protocol)}: up {Mbps(p.UploadBitsPerSecond?.Median)}, down {Mbps(p.DownloadBitsPerSecond?.Median)}, latency p50 {Ms(p.LatencyIdle?.P50Ms)}, UDP loss {Percent(p.UdpLossPercent?.Median)}");
    }

    private static string Mbps(double? bps) => bps is null ? "n/a" : string.Create(CultureInfo.InvariantCulture, $"{bps.Value / 1e6:0.#} Mbit/s");

    private static string Ms(double? ms) => ms is null ? "n/a" : string.Create(CultureInfo.InvariantCulture, $"{ms.Value:0.###} ms");

    private static string Percent(double? p) => p is null ? "n/a" : string.Create(CultureInfo.InvariantCulture, $"{p.Value:0.###} %");
}
