using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Microsoft.EntityFrameworkCore;

namespace VPNLens.Bench;

/// <summary>
/// Callback intake: signed phase callbacks for several running runs (several nodes reporting at once),
/// from concurrent senders as fast as they are answered, for a fixed time. Every 200 must be stored:
/// the phase events in the database before and after are counted.
/// </summary>
internal static class Intake
{
    public static async Task<object> RunAsync(Options options, CancellationToken cancellationToken)
    {
        var baseUri = options.BaseUri();
        var concurrency = options.Int("concurrency", 16);
        var seconds = options.Double("seconds", 10);
        var runs = options.Required("runs").Split(',', StringSplitOptions.RemoveEmptyEntries)
            .Select(r => r.Split(':', 2))
            .Select(p => (Id: Guid.Parse(p[0]), Secret: p[1]))
            .ToList();
        var runIds = runs.Select(r => r.Id).ToList();
        await using var database = AppDatabase.Open(options);
        async Task<long> StoredAsync()
        {
            await using var db = await database.Contexts.CreateDbContextAsync(cancellationToken);
            return await db.PhaseEvents.LongCountAsync(e => runIds.Contains(e.RunId), cancellationToken);
        }

        var before = await StoredAsync();

        using var http = ApiClient.Create(baseUri, null);
        var posters = runs.Select(r => new PhasePoster(http, r.Id, r.Secret, options.Text("protocol", "direct"))).ToArray();
        var statuses = new ConcurrentDictionary<int, int>();
        var latencies = new ConcurrentBag<double>();
        var tag = Guid.NewGuid().ToString("N")[..8];
        var start = Stopwatch.GetTimestamp();
        var end = start + (long)(seconds * Stopwatch.Frequency);
        var workers = Enumerable.Range(0, concurrency).Select(w => Task.Run(
            async () =>
            {
                var poster = posters[w % posters.Length];
                for (var n = 0; Stopwatch.GetTimestamp() < end; n++)
                {
                    var sent = Stopwatch.GetTimestamp();
                    var status = await poster.PostAsync($"msg_{poster.RunId:N}_intake{tag}_{w}_{n}", n, $"intake {w}/{n}", cancellationToken);
                    latencies.Add(Stats.ElapsedMs(sent, Stopwatch.GetTimestamp()));
                    statuses.AddOrUpdate(status, 1, (_, c) => c + 1);
                }
            },
            cancellationToken)).ToArray();
        await Task.WhenAll(workers);
        var elapsed = Stats.ElapsedMs(start, Stopwatch.GetTimestamp()) / 1000;

        var stored = await StoredAsync() - before;
        var accepted = statuses.GetValueOrDefault(200);
        return new
        {
            concurrency,
            runs = runs.Count,
            seconds = Stats.Round(elapsed),
            accepted,
            perSecond = Stats.Round(accepted / elapsed),
            refused = statuses.Where(s => s.Key != 200).Sum(s => s.Value),
            statuses = statuses.ToDictionary(s => s.Key.ToString(CultureInfo.InvariantCulture), s => s.Value),
            stored,
            lost = accepted - stored,
            latencyMs = Stats.Summary([.. latencies]),
        };
    }
}
