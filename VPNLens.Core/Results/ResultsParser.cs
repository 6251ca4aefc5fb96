using System.Text.Json;

namespace VPNLens.Core.Results;

/// <summary>Turns a node's raw results body into a <see cref="ResultsReport"/>, or says exactly what is wrong with it.</summary>
public static class ResultsParser
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        AllowTrailingCommas = false,
        ReadCommentHandling = JsonCommentHandling.Disallow,
        MaxDepth = 32,
    };

    public static ParseOutcome<ResultsReport> Parse(ReadOnlySpan<byte> body)
    {
        ResultsReport? report;
        try
        {
            report = JsonSerializer.Deserialize<ResultsReport>(body, Options);
        }
        catch (JsonException ex)
        {
            return ParseOutcome.Invalid<ResultsReport>($"The results body is not valid JSON: {ex.Message}");
        }

        if (report is null)
        {
            return ParseOutcome.Invalid<ResultsReport>("The results body is empty.");
        }

        var problem = Validate(report);
        return problem is null ? ParseOutcome.Valid(report) : ParseOutcome.Invalid<ResultsReport>(problem);
    }

    private static string? Validate(ResultsReport report)
    {
        if (report.Status == "running")
        {
            return "status is \"running\": the node has not finished this run, so these results are not final.";
        }

        if (report.Status is not ("succeeded" or "failed"))
        {
            return $"status must be \"succeeded\" or \"failed\", not \"{report.Status}\".";
        }

        if (report.Protocols is null)
        {
            return "protocols is missing.";
        }

        if (report.Status == "failed" && report.Error is null && report.Protocols.Count == 0)
        {
            return "A failed run must say why in error.";
        }

        foreach (var protocol in report.Protocols)
        {
            var problem = Validate(protocol);
            if (problem is not null)
            {
                return problem;
            }
        }

        return null;
    }

    private static string? Validate(ProtocolReport protocol)
    {
        if (string.IsNullOrWhiteSpace(protocol.Protocol))
        {
            return "Every entry of protocols needs a protocol name.";
        }

        if (protocol.Status is not ("succeeded" or "failed"))
        {
            return $"{protocol.Protocol}: status must be \"succeeded\" or \"failed\".";
        }

        var samples = (protocol.TcpUpload ?? []).Concat(protocol.TcpDownload ?? []).Concat(protocol.TcpParallel ?? [])
            .Concat(protocol.TcpBidir ?? []).Select(s => s.BitsPerSecond)
            .Concat((protocol.TcpBidir ?? []).Select(s => s.ReverseBitsPerSecond ?? 0))
            .Concat((protocol.Udp ?? []).Select(s => s.BitsPerSecond));
        if (samples.Any(v => v < 0 || double.IsNaN(v)))
        {
            return $"{protocol.Protocol}: a throughput sample is negative.";
        }

        foreach (var ping in new[] { protocol.LatencyIdle, protocol.LatencyLoaded })
        {
            if (ping is not null && (ping.Sent < 0 || ping.Received < 0 || ping.Received > ping.Sent))
            {
                return $"{protocol.Protocol}: a ping report has impossible counts ({ping.Received} of {ping.Sent}).";
            }
        }

        return null;
    }
}
