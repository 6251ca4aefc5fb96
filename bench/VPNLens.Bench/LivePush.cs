using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.ServerSentEvents;
using System.Text.Json;

namespace VPNLens.Bench;

/// <summary>
/// Callback to live permalink page: READERS signed-out readers follow a running run's event stream
/// (<c>/r/{token}/events</c>) as js/live-run.js does, and on each version fetch <c>/r/{token}?v={version}</c>;
/// COUNT signed phase callbacks are posted one every INTERVAL, each timed from just before its POST to each
/// reader having read a page that shows it.
/// </summary>
internal static class LivePush
{
    public static async Task<object> RunAsync(Options options, CancellationToken cancellationToken)
    {
        var baseUri = options.BaseUri();
        var token = options.Required("token");
        var readers = options.Int("readers", 200);
        var count = options.Int("count", 20);
        var interval = TimeSpan.FromMilliseconds(options.Double("interval-ms", 500));
        using var http = ApiClient.Create(baseUri, null);
        var poster = new PhasePoster(http, options.Guid("run-id"), options.Required("secret"), options.Text("protocol", "direct"));

        // phases shown -> when each reader had read a page showing at least that many
        var seen = Enumerable.Range(0, readers).Select(_ => new ConcurrentDictionary<int, long>()).ToArray();
        var firstPhases = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var connected = new CountdownEvent(readers);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var following = Enumerable.Range(0, readers).Select(r => Task.Run(() => FollowAsync(http, token, seen[r], firstPhases, connected, stop.Token), stop.Token)).ToList();
        if (!connected.Wait(TimeSpan.FromSeconds(60), cancellationToken))
        {
            throw new BenchException($"only {readers - connected.CurrentCount} of {readers} readers got the stream's first event within 60 s");
        }

        var before = await firstPhases.Task;
        var sentAt = new long[count];
        var statuses = new List<int>(count);
        var prefix = Guid.NewGuid().ToString("N")[..8];
        for (var i = 0; i < count; i++)
        {
            sentAt[i] = Stopwatch.GetTimestamp();
            statuses.Add(await poster.PostAsync($"msg_{prefix}_live_{i}", i, $"live push {i}", cancellationToken));
            await Task.Delay(interval, cancellationToken);
        }

        // the last callback's page: every reader has a few seconds more to read it
        var deadline = Stopwatch.GetTimestamp() + (5 * Stopwatch.Frequency);
        while (Stopwatch.GetTimestamp() < deadline && seen.Any(s => !s.ContainsKey(before + count)))
        {
            await Task.Delay(50, cancellationToken);
        }

        await stop.CancelAsync();
        var delays = new List<double>();
        var missing = 0;
        for (var i = 0; i < count; i++)
        {
            foreach (var reader in seen)
            {
                var at = reader.Where(p => p.Key >= before + i + 1).Select(p => p.Value).DefaultIfEmpty(0).Min();
                if (at == 0)
                {
                    missing++;
                }
                else
                {
                    delays.Add(Stats.ElapsedMs(sentAt[i], at));
                }
            }
        }

        return new
        {
            readers,
            sent = count,
            intervalMs = interval.TotalMilliseconds,
            accepted = statuses.Count(s => s == 200),
            missing,
            latencyMs = Stats.Summary(delays),
        };
    }

    private static async Task FollowAsync(
        HttpClient http, string token, ConcurrentDictionary<int, long> seen, TaskCompletionSource<int> firstPhases, CountdownEvent connected, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await http.GetAsync(new Uri($"r/{token}/events", UriKind.Relative), HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            response.EnsureSuccessStatusCode();
            await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
            var first = true;
            await foreach (var item in SseParser.Create(stream).EnumerateAsync(cancellationToken))
            {
                var version = JsonDocument.Parse(item.Data).RootElement.GetProperty("version").GetString()!;
                var phases = int.Parse(version.Split('.')[1], CultureInfo.InvariantCulture);
                if (first)
                {
                    first = false;
                    firstPhases.TrySetResult(phases);
                    connected.Signal();
                    continue;
                }

                using var page = await http.GetAsync(new Uri($"r/{token}?v={Uri.EscapeDataString(version)}", UriKind.Relative), cancellationToken);
                await page.Content.ReadAsByteArrayAsync(cancellationToken);
                seen.TryAdd(phases, Stopwatch.GetTimestamp());
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }
}
