using System.Globalization;
using CsvHelper;
using VPNLens.Core.Verdicts;
using VPNLens.Web.Runs;

namespace VPNLens.Web.Figures;

/// <summary>
/// The results in long form (docs/exports.md): one row per protocol and figure, in the node's units, with its spread,
/// its share of direct and the verdict's words, so a spreadsheet or pandas can filter and pivot without parsing headers.
/// </summary>
public static class ResultsCsv
{
    public static readonly IReadOnlyList<string> Headers =
        ["run_id", "node", "finished_at", "protocol", "metric", "unit", "median", "min", "max", "n", "share_of_direct", "verdict", "ip_version"];

    /// <returns>UTF-8 CSV (RFC 4180, with formula injection guarded by CsvHelper's defaults).</returns>
    public static byte[] Write(RunSnapshot snapshot, ResultsView results)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        ArgumentNullException.ThrowIfNull(results);
        var run = snapshot.Run;
        var finishedAt = run.FinishedAt?.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        using var buffer = new MemoryStream();
        using (var csv = CsvWriter.Create(buffer, CsvWriterOptions.Default, leaveOpen: true))
        {
            csv.WriteHeader([.. Headers]);
            foreach (var protocol in results.Protocols)
            {
                var rows = Metrics.All.Select(m => (Metric: m, Value: m.Value(protocol))).Where(r => r.Value is not null).ToList();
                if (!protocol.Succeeded)
                {
                    Row(csv, run.Id, snapshot.NodeName, finishedAt, protocol.Protocol, "status", string.Empty);
                    EmptyFields(csv, 5);
                    csv.WriteField($"failed at {protocol.Error?.Phase ?? "?"}: {protocol.Error?.Message}");
                    EndRow(csv, run.Settings.IpVersion);
                }

                foreach (var (metric, value) in rows)
                {
                    var samples = metric.Samples?.Invoke(protocol);
                    Row(csv, run.Id, snapshot.NodeName, finishedAt, protocol.Protocol, metric.Key, Unit(metric.Unit));
                    csv.WriteField(value, string.Empty);
                    csv.WriteField(samples?.Min, string.Empty);
                    csv.WriteField(samples?.Max, string.Empty);
                    csv.WriteField(samples?.Count, string.Empty);
                    csv.WriteField(results.ShareOfBaseline(metric, protocol), string.Empty);
                    csv.WriteField(Verdict(results.Verdict, metric.Key, protocol.Protocol));
                    EndRow(csv, run.Settings.IpVersion);
                }

                if (results.Raw(protocol.Protocol) is { PathMtu: { } pathMtu })
                {
                    Row(csv, run.Id, snapshot.NodeName, finishedAt, protocol.Protocol, "path_mtu", "bytes");
                    csv.WriteField(pathMtu);
                    EmptyFields(csv, 5);
                    EndRow(csv, run.Settings.IpVersion);
                }
            }
        }

        return buffer.ToArray();
    }

    /// <summary>"1 of 3: WireGuard 19 % faster than OpenVPN (95 % CI 12–26 %)"; empty for direct and for figures without a verdict.</summary>
    public static string Verdict(RunVerdict verdict, string metricKey, string protocol)
    {
        ArgumentNullException.ThrowIfNull(verdict);
        var metric = verdict.For(metricKey);
        var rank = metric is null ? -1 : metric.Ranking.ToList().FindIndex(r => r.Protocol == protocol);
        if (metric is null || rank < 0)
        {
            return string.Empty;
        }

        var place = $"{rank + 1} of {metric.Ranking.Count}";
        var noisy = verdict.Noise.IsNoisy ? " (noisy run)" : string.Empty;
        return rank < metric.Gaps.Count ? $"{place}: {metric.Gaps[rank].Sentence}{noisy}" : place + noisy;
    }

    private static void Row(CsvWriter csv, Guid runId, string node, string? finishedAt, string protocol, string metric, string unit)
    {
        csv.WriteField(runId.ToString());
        csv.WriteField(node);
        csv.WriteField(finishedAt ?? string.Empty);
        csv.WriteField(protocol);
        csv.WriteField(metric);
        csv.WriteField(unit);
    }

    /// <summary>The run's IP version, last on every row, and the row's end.</summary>
    private static void EndRow(CsvWriter csv, int ipVersion)
    {
        csv.WriteField(ipVersion);
        csv.EndRecord();
    }

    private static void EmptyFields(CsvWriter csv, int count)
    {
        for (var i = 0; i < count; i++)
        {
            csv.WriteField(string.Empty);
        }
    }

    private static string Unit(MetricUnit unit) => unit switch
    {
        MetricUnit.BitsPerSecond => "bit/s",
        MetricUnit.Milliseconds => "ms",
        MetricUnit.Percent => "percent",
        _ => "cpu_s_per_gb",
    };
}
