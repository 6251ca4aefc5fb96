using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;

namespace VPNLens.Bench;

/// <summary>
/// Callback to push: signed phase callbacks for one running run, sent at a steady rate whatever the
/// answers take (open loop), each timed from just before its POST to the SignalR client receiving it,
/// and to its answer.
/// </summary>
internal static class PushLatency
{
    public static async Task<object> RunAsync(Options options, CancellationToken cancellationToken) => await MeasureAsync(options, cancellationToken);

    /// <summary>The measurement, for "push" alone and for "dashboard-push" with dashboards open.</summary>
    public static async Task<PushResult> MeasureAsync(Options options, CancellationToken cancellationToken)
    {
        var baseUri = options.BaseUri();
        var apiToken = options.Required("api-token");
        var runId = options.Guid("run-id");
        var rate = options.Double("rate", 20);
        var count = options.Int("count", 300);
        using var http = ApiClient.Create(baseUri, null);
        var poster = new PhasePoster(http, runId, options.Required("secret"), options.Text("protocol", "direct"));

        var (hub, problem) = await RunHubClient.TryConnectAsync(baseUri, apiToken, cancellationToken);
        if (hub is null)
        {
            throw new BenchException(problem!);
        }

        await using var hubLease = hub;
        var prefix = $"bench-push-{Guid.NewGuid():N}-";
        var sentAt = new long[count];
        var arrivedAt = new ConcurrentDictionary<int, long>();
        hub.Phase += (at, phase) =>
        {
            var detail = phase.TryGetProperty("detail", out var d) ? d.GetString() : null;
            if (detail is not null && detail.StartsWith(prefix, StringComparison.Ordinal)
                && int.TryParse(detail.AsSpan(prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var n))
            {
                arrivedAt.TryAdd(n, at);
            }
        };
        await hub.JoinAsync(runId, cancellationToken);

        var statuses = new ConcurrentDictionary<string, int>();
        var answeredAt = new long[count];
        var posts = new List<Task>(count);
        var start = Stopwatch.GetTimestamp();
        for (var i = 0; i < count; i++)
        {
            var due = start + (long)(i / rate * Stopwatch.Frequency);
            var wait = Stats.ElapsedMs(Stopwatch.GetTimestamp(), due);
            if (wait > 0)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(wait), cancellationToken);
            }

            var n = i;
            sentAt[n] = Stopwatch.GetTimestamp();
            posts.Add(Task.Run(
                async () =>
                {
                    string status;
                    try
                    {
                        status = (await poster.PostAsync($"msg_{runId:N}_{prefix}{n}", n, $"{prefix}{n}", cancellationToken)).ToString(CultureInfo.InvariantCulture);
                        answeredAt[n] = Stopwatch.GetTimestamp();
                    }
                    catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
                    {
                        // a callback the app did not answer within the client's timeout is a result, not a failure to measure
                        status = "timeout";
                    }

                    statuses.AddOrUpdate(status, 1, (_, c) => c + 1);
                },
                cancellationToken));
        }

        await Task.WhenAll(posts);
        var settle = Stopwatch.GetTimestamp() + (5 * Stopwatch.Frequency);
        while (arrivedAt.Count < count && Stopwatch.GetTimestamp() < settle)
        {
            await Task.Delay(50, cancellationToken);
        }

        var latencies = arrivedAt.Select(a => Stats.ElapsedMs(sentAt[a.Key], a.Value)).ToList();
        var answers = Enumerable.Range(0, count).Where(n => answeredAt[n] != 0).Select(n => Stats.ElapsedMs(sentAt[n], answeredAt[n])).ToList();
        return new PushResult(
            rate,
            count,
            latencies.Count,
            count - latencies.Count,
            statuses.ToDictionary(s => s.Key, s => s.Value),
            Stats.Summary(latencies),
            Stats.Summary(answers));
    }
}

/// <summary>Push latency (POST to the SignalR client receiving it) and the callback's own answer time, in ms.</summary>
internal sealed record PushResult(double Rate, int Sent, int Received, int Missing, Dictionary<string, int> Statuses, object LatencyMs, object CallbackMs);
