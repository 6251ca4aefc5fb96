using System.Diagnostics;
using System.Text.Json;
using VPNLens.Core.Statistics;

namespace VPNLens.Bench;

/// <summary>
/// GET /api/history for one node × protocol × metric over a whole range, one request at a time (a person's
/// page or a script, not a crowd), each timed until its body is read. Requests take the seeded nodes, protocols
/// and metrics in turn, so no one series is all that is asked for. Stops at --requests or after --max-seconds.
/// --resolution (raw, day or auto) is passed on when given; without it the API chooses (auto), as the page's chart does.
/// </summary>
internal static class HistoryQuery
{
    public static async Task<object> RunAsync(Options options, CancellationToken cancellationToken)
    {
        var nodes = List(options.Required("node-ids"));
        var protocols = List(options.Text("protocols", "direct,wireguard,nebula,openvpn"));
        var metrics = List(options.Text("metrics", "tcp_download,tcp_upload,latency_idle_p50"));
        var from = Uri.EscapeDataString(options.Required("from"));
        var to = Uri.EscapeDataString(options.Required("to"));
        var requests = options.Int("requests", 200);
        var warmup = options.Int("warmup", 5);
        var maxSeconds = options.Double("max-seconds", 120);
        var resolution = options.Text("resolution", string.Empty);

        using var http = ApiClient.Create(options.BaseUri(), options.Required("api-token"));
        http.Timeout = TimeSpan.FromSeconds(options.Int("timeout-seconds", 300));
        var latencies = new List<double>();
        var points = new List<int>();
        var days = new List<int>();
        var resolutions = new SortedSet<string>(StringComparer.Ordinal);
        var bytes = new List<double>();
        var changePoints = new List<int>();
        var started = Stopwatch.GetTimestamp();
        var deadline = started + (long)(maxSeconds * Stopwatch.Frequency);
        for (var i = 0; i < warmup + requests && (i < warmup || Stopwatch.GetTimestamp() < deadline); i++)
        {
            var k = i;
            var node = nodes[k % nodes.Count];
            k /= nodes.Count;
            var protocol = protocols[k % protocols.Count];
            var metric = metrics[(k / protocols.Count) % metrics.Count];
            var path = $"api/history?node={node}&protocol={protocol}&metric={metric}&from={from}&to={to}"
                + (resolution.Length == 0 ? string.Empty : $"&resolution={Uri.EscapeDataString(resolution)}");
            var sent = Stopwatch.GetTimestamp();
            using var response = await http.GetAsync(new Uri(path, UriKind.Relative), cancellationToken);
            var body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
            var ms = Stats.ElapsedMs(sent, Stopwatch.GetTimestamp());
            if (!response.IsSuccessStatusCode)
            {
                throw new BenchException($"GET /{path} answered {(int)response.StatusCode}: {System.Text.Encoding.UTF8.GetString(body)}");
            }

            if (i < warmup)
            {
                continue;
            }

            latencies.Add(ms);
            using var json = JsonDocument.Parse(body);
            points.Add(json.RootElement.GetProperty("points").GetArrayLength());
            bytes.Add(body.Length);
            if (json.RootElement.TryGetProperty("resolution", out var answered))
            {
                resolutions.Add(answered.GetString() ?? string.Empty);
            }

            if (json.RootElement.TryGetProperty("days", out var daily) && daily.ValueKind == JsonValueKind.Array)
            {
                days.Add(daily.GetArrayLength());
            }
            changePoints.Add(json.RootElement.GetProperty("changePoints").GetArrayLength());
        }

        return new
        {
            requests = latencies.Count,
            asked = requests,
            warmup,
            stoppedEarly = latencies.Count < requests,
            seconds = Stats.Round(Stats.ElapsedMs(started, Stopwatch.GetTimestamp()) / 1000),
            pointsPerSeries = points.Count == 0 ? 0 : points.Min(),
            daysPerSeries = days.Count == 0 ? 0 : days.Min(),
            resolutions = resolutions.Count == 0 ? ["raw"] : resolutions.ToList(),
            answerKbMedian = Stats.Round((Descriptive.Median(bytes) ?? 0) / 1024),
            changePointsMedian = Descriptive.Median([.. changePoints.Select(c => (double)c)]) ?? 0,
            latencyMs = Stats.Summary(latencies),
        };
    }

    private static List<string> List(string csv) => [.. csv.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];
}
