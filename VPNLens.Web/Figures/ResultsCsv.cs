using CsvHelper;

namespace VPNLens.Web.Figures;

/// <summary>The results as one CSV row per protocol: every figure in the node's units, its spread and its share of direct.</summary>
public static class ResultsCsv
{
    /// <returns>UTF-8 CSV (RFC 4180, with formula injection guarded by CsvHelper's defaults).</returns>
    public static byte[] Write(ResultsView results)
    {
        ArgumentNullException.ThrowIfNull(results);
        using var buffer = new MemoryStream();
        using (var csv = CsvWriter.Create(buffer, CsvWriterOptions.Default, leaveOpen: true))
        {
            csv.WriteHeader([.. Headers()]);
            foreach (var protocol in results.Protocols)
            {
                csv.WriteField(protocol.Protocol);
                csv.WriteField(protocol.Succeeded ? "succeeded" : "failed");
                csv.WriteField(protocol.Error?.Phase);
                csv.WriteField(protocol.Error?.Message);
                foreach (var metric in Metrics.All)
                {
                    csv.WriteField(metric.Value(protocol), string.Empty);
                    if (metric.Samples is not null)
                    {
                        var samples = metric.Samples(protocol);
                        csv.WriteField(samples?.Min, string.Empty);
                        csv.WriteField(samples?.Max, string.Empty);
                        csv.WriteField(samples?.RelativeStandardDeviationPercent, string.Empty);
                        csv.WriteField(samples?.Count, string.Empty);
                    }

                    csv.WriteField(results.ShareOfBaseline(metric, protocol), string.Empty);
                }

                csv.EndRecord();
            }
        }

        return buffer.ToArray();
    }

    public static IEnumerable<string> Headers()
    {
        yield return "protocol";
        yield return "status";
        yield return "error_phase";
        yield return "error_message";
        foreach (var metric in Metrics.All)
        {
            yield return metric.Column;
            if (metric.Samples is not null)
            {
                yield return metric.Column + "_min";
                yield return metric.Column + "_max";
                yield return metric.Column + "_rsd_percent";
                yield return metric.Column + "_n";
            }

            yield return metric.Key + "_share_of_direct";
        }
    }
}
