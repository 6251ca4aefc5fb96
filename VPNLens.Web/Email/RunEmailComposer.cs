using System.Globalization;
using System.Net;
using System.Text;
using VPNLens.Core.Results;
using VPNLens.Core.Runs;
using VPNLens.Web.Figures;

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

        if (ResultsView.From(run.ResultsJson) is { } results)
        {
            lines.AddRange(VerdictLines(results));
            foreach (var protocol in results.Protocols)
            {
                lines.Add(Headline(protocol, results.RateScale));
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

    /// <summary>The verdict in words: the noise warning first, then per metric the winner and each gap.</summary>
    private static IEnumerable<string> VerdictLines(ResultsView results)
    {
        var verdict = results.Verdict;
        if (verdict.Noise.IsNoisy)
        {
            yield return $"Noisy: treat with care ({string.Join("; ", verdict.Noise.Reasons)}).";
        }

        foreach (var metric in verdict.Metrics)
        {
            var ranking = string.Join(", ", metric.Ranking.Select(r => $"{Protocols.DisplayName(r.Protocol)} {FigureFormat.Value(r.Median, metric.Metric.Unit, results.RateScale)}" + (r.VersusDirect is null ? string.Empty : $" ({r.VersusDirect})")));
            var gaps = string.Concat(metric.Gaps.Select(g => $" {g.Sentence}."));
            yield return $"{metric.Metric.Label} ({metric.Metric.Direction}): {ranking}.{gaps}";
        }

        if (verdict.Metrics.Count > 0)
        {
            yield return string.Empty;
        }
    }

    private static string Headline(ProtocolSummary p, RateScale scale)
    {
        if (!p.Succeeded)
        {
            return $"{Protocols.DisplayName(p.Protocol)}: failed at {p.Error?.Phase ?? "?"}: {p.Error?.Message}";
        }

        return $"{Protocols.DisplayName(p.Protocol)}: up {FigureFormat.Rate(p.UploadBitsPerSecond?.Median, scale)}, down {FigureFormat.Rate(p.DownloadBitsPerSecond?.Median, scale)}, latency p50 {FigureFormat.Milliseconds(p.LatencyIdle?.P50Ms)}, UDP loss {FigureFormat.Percent(p.UdpLossPercent?.Median)}";
    }
}
