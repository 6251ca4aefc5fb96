using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace VPNLens.Core.Retention;

/// <summary>
/// Thins a stored results body once its raw samples are past retention: the per-second throughput of every TCP
/// repetition (iperf3 intervals) goes, everything else stays. The verdict, the summaries, the tables, the exports and
/// history read per-repetition figures and the per-ping round-trip times (the latency verdict ranks the pings
/// themselves), so those are kept and the figures read the same after thinning.
/// </summary>
public static class RawSamples
{
    /// <summary>The top-level field that marks a thinned body with the time its samples were removed.</summary>
    public const string RemovedAtField = "samplesRemovedAt";

    private const string IntervalsField = "intervals";

    private static readonly string[] TcpTests = ["tcpUpload", "tcpDownload", "tcpParallel", "tcpBidir"];

    private static readonly JsonSerializerOptions Compact = new() { WriteIndented = false };

    /// <summary>A whole results body without its per-second samples, marked with <paramref name="removedAt"/>.</summary>
    /// <returns>The thinned body; the body unchanged when it is not a JSON object or was thinned before.</returns>
    public static string RemoveFromResults(string resultsJson, DateTimeOffset removedAt)
    {
        ArgumentNullException.ThrowIfNull(resultsJson);
        if (Parse(resultsJson) is not JsonObject root || root.ContainsKey(RemovedAtField))
        {
            return resultsJson;
        }

        if (root["protocols"] is JsonArray protocols)
        {
            foreach (var protocol in protocols.OfType<JsonObject>())
            {
                RemoveIntervals(protocol);
            }
        }

        root[RemovedAtField] = removedAt.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture);
        return root.ToJsonString(Compact);
    }

    private static void RemoveIntervals(JsonObject protocol)
    {
        foreach (var test in TcpTests)
        {
            if (protocol[test] is JsonArray samples)
            {
                foreach (var sample in samples.OfType<JsonObject>())
                {
                    sample.Remove(IntervalsField);
                }
            }
        }
    }

    private static JsonNode? Parse(string json)
    {
        try
        {
            return JsonNode.Parse(json);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
