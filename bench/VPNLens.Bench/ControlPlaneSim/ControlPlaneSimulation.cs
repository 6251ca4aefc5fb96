using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using VPNLens.Core.Runs;

namespace VPNLens.Bench.ControlPlaneSim;

/// <summary>
/// The control plane with many nodes: app instances as separate processes on one database, nodes registered and runs
/// queued through the real API (the nodes hold their first run until every run is queued), each node running its runs
/// one after the other while the simulated nodes post their callbacks. Measures how long a freed lease waits for the
/// next run, to its stored start and to the start reaching the node, and from the nodes' side how many callbacks a
/// second the instances accept; checks that every accepted callback is stored exactly once
/// and every run ends Succeeded once.
/// </summary>
internal static class ControlPlaneSimulation
{
    private const string Email = "sim@vpnlens.bench";

    public static async Task<object> RunAsync(Options options, CancellationToken cancellationToken)
    {
        var provider = options.Required("provider");
        var postgres = provider.Equals("Postgres", StringComparison.OrdinalIgnoreCase);
        var instanceCount = options.Int("instances", postgres ? 2 : 1);
        var nodeCount = options.Int("nodes", 1000);
        var runsPerNode = options.Int("runs-per-node", 3);
        var protocols = options.Text("protocols", "wireguard").Split(',', StringSplitOptions.RemoveEmptyEntries);
        var phaseInterval = TimeSpan.FromMilliseconds(options.Int("phase-ms", 500));
        var concurrency = options.Int("concurrency", 4);
        var work = Directory.CreateDirectory(options.Required("work")).FullName;
        var fixture = Path.GetFullPath(options.Required("results"));
        // run.sh measures the direct path too, so a run of one VPN posts two protocols' phases
        var perRun = NodeFarm.CallbacksPerRun(protocols.Length + 1) * phaseInterval.TotalSeconds;
        var timeout = TimeSpan.FromSeconds(options.Int("timeout-seconds", (int)(runsPerNode * perRun * 10) + 600));
        if (!postgres && instanceCount != 1)
        {
            throw new BenchException("--instances must be 1 on SQLite (its Hangfire storage locks in one process)");
        }

        var keys = Directory.CreateDirectory(Path.Combine(work, "keys")).FullName;
        var apiToken = Convert.ToHexString(RandomNumberGenerator.GetBytes(24));
        var (connectionString, dropDatabase) = postgres
            ? await CreatePostgresDatabaseAsync(options.Required("connection-string"), cancellationToken)
            : ($"Data Source={Path.Combine(work, "vpnlens.db")}", (Func<Task>?)null);
        var loadBefore = LoadAverage();
        var ports = Enumerable.Range(0, instanceCount).Select(_ => InstanceProcess.FreeLoopbackPort()).ToList();
        var uris = ports.Select(p => new Uri($"http://127.0.0.1:{p}/")).ToList();
        await using var farm = await NodeFarm.StartAsync(uris, phaseInterval, fixture);
        var instances = new List<InstanceProcess>();
        try
        {
            string[] Args() =>
            [
                "--farm", farm.Address.ToString(), "--provider", postgres ? "Postgres" : "Sqlite", "--connection-string", connectionString,
                "--hangfire", postgres ? string.Empty : Path.Combine(work, "hangfire.db"), "--keys", keys, "--api-token", apiToken,
                "--admin-password", Convert.ToHexString(RandomNumberGenerator.GetBytes(16)) + "Aa1!",
                "--endpoints", nodeCount.ToString(CultureInfo.InvariantCulture),
            ];

            // The first migrates the database; the others start on it together.
            instances.Add(await InstanceProcess.StartAsync(ports[0], Args(), Path.Combine(work, "instance-1.log"), cancellationToken));
            instances.AddRange(await Task.WhenAll(ports.Skip(1).Select((p, i) =>
                InstanceProcess.StartAsync(p, Args(), Path.Combine(work, $"instance-{i + 2}.log"), cancellationToken))));
            var apis = uris.Select(u => ApiClient.Create(u, apiToken)).ToArray();
            foreach (var api in apis)
            {
                api.Timeout = TimeSpan.FromSeconds(120);
            }

            try
            {
                var nodeIds = await RegisterNodesAsync(apis, nodeCount, work, concurrency, cancellationToken);
                var queueing = Stopwatch.StartNew();
                var refusals = new ConcurrentDictionary<int, int>();
                for (var round = 0; round < runsPerNode; round++)
                {
                    await QueueRoundAsync(apis, nodeIds, protocols, concurrency, refusals, cancellationToken);
                }

                var queued = new
                {
                    runs = nodeCount * runsPerNode,
                    seconds = Stats.Round(queueing.Elapsed.TotalSeconds),
                    refusedThenRepeated = refusals.Values.Sum(),
                    refusals = refusals.ToDictionary(r => r.Key.ToString(CultureInfo.InvariantCulture), r => r.Value),
                };

                await Console.Error.WriteLineAsync($"cp-sim: {nodeCount * runsPerNode} runs queued in {queueing.Elapsed.TotalSeconds:F1} s");
                farm.Release();
                await using var database = AppDatabase.Connect(postgres ? "Postgres" : "Sqlite", connectionString, keys, connectionString);
                var wall = Stopwatch.StartNew();
                var waited = await WaitForEndsAsync(database, nodeCount * runsPerNode, timeout, cancellationToken);
                // Nodes whose runs timed out may still be posting: measure what was answered by then.
                var drain = farm.DrainAsync();
                await Task.WhenAny(drain, Task.Delay(TimeSpan.FromSeconds(60), cancellationToken));
                var cpu = new
                {
                    benchProcessSeconds = Stats.Round(Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds),
                    instanceSeconds = instances.Select(i => Stats.Round(i.CpuSeconds())).ToList(),
                    wallSeconds = Stats.Round(wall.Elapsed.TotalSeconds),
                };
                var measured = await MeasureAsync(database, farm, cancellationToken);
                return new
                {
                    provider = postgres ? "Postgres" : "Sqlite",
                    instances = instanceCount,
                    nodes = nodeCount,
                    runsPerNode,
                    protocols,
                    phaseMs = phaseInterval.TotalMilliseconds,
                    offeredPerSecond = Stats.Round(nodeCount / phaseInterval.TotalSeconds),
                    queued,
                    allEnded = waited,
                    nodesDone = drain.IsCompleted,
                    measured,
                    cpu,
                    loadAverage = new { before = loadBefore, after = LoadAverage() },
                };
            }
            finally
            {
                foreach (var api in apis)
                {
                    api.Dispose();
                }
            }
        }
        finally
        {
            foreach (var instance in instances)
            {
                await instance.DisposeAsync();
            }

            if (dropDatabase is not null)
            {
                await dropDatabase();
            }
        }
    }

    private static async Task<(string ConnectionString, Func<Task>? Drop)> CreatePostgresDatabaseAsync(string server, CancellationToken cancellationToken)
    {
        var name = $"vpnlens_cpsim_{DateTime.UtcNow:yyyyMMddHHmmss}";
        await using (var admin = new NpgsqlConnection(server))
        {
            await admin.OpenAsync(cancellationToken);
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", admin);
            await create.ExecuteNonQueryAsync(cancellationToken);
        }

        var app = new NpgsqlConnectionStringBuilder(server) { Database = name, MaxPoolSize = 100 }.ConnectionString;
        return (app, async () =>
        {
            NpgsqlConnection.ClearAllPools();
            await using var admin = new NpgsqlConnection(server);
            await admin.OpenAsync();
            await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", admin);
            await drop.ExecuteNonQueryAsync();
        }
        );
    }

    private static async Task<List<Guid>> RegisterNodesAsync(HttpClient[] apis, int count, string work, int concurrency, CancellationToken cancellationToken)
    {
        // The app checks a node's key file exists; the simulated nodes are never connected to.
        var key = Path.Combine(work, "sim-node-key");
        await File.WriteAllTextAsync(key, "simulated nodes take no SSH connection\n", cancellationToken);
        var ids = new Guid[count];
        await Parallel.ForAsync(0, count, new ParallelOptions { MaxDegreeOfParallelism = concurrency, CancellationToken = cancellationToken }, async (i, ct) =>
        {
            var fingerprint = "SHA256:" + Convert.ToBase64String(SHA256.HashData(BitConverter.GetBytes(i))).TrimEnd('=');
            using var response = await SendAsync(apis[i % apis.Length], "api/nodes", new
            {
                name = $"sim-node-{i:D5}",
                host = $"198.19.{i / 250}.{(i % 250) + 1}",
                port = 22,
                user = "vpnlens",
                hostKeyFingerprint = fingerprint,
                privateKeyPath = key,
                endpoint = SimNames.Endpoint(i),
            }, ct);
            if (response.StatusCode != HttpStatusCode.Created)
            {
                throw new BenchException($"POST /api/nodes answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(ct)}");
            }

            ids[i] = (await response.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("id").GetGuid();
        });
        return [.. ids];
    }

    /// <summary>
    /// Queues one run on every node. A 5xx is counted and the POST repeated, as an automation client would (the app
    /// stores nothing for a request it answers 5xx); any other refusal stops the simulation.
    /// </summary>
    private static Task QueueRoundAsync(HttpClient[] apis, List<Guid> nodeIds, string[] protocols, int concurrency, ConcurrentDictionary<int, int> refusals, CancellationToken cancellationToken) =>
        Parallel.ForAsync(0, nodeIds.Count, new ParallelOptions { MaxDegreeOfParallelism = concurrency, CancellationToken = cancellationToken }, async (i, ct) =>
        {
            for (var attempt = 1; ; attempt++)
            {
                using var response = await SendAsync(apis[(i + attempt) % apis.Length], "api/runs", new { nodeId = nodeIds[i], protocols, email = Email }, ct);
                if (response.StatusCode == HttpStatusCode.Accepted)
                {
                    return;
                }

                if ((int)response.StatusCode < 500 || attempt == 10)
                {
                    throw new BenchException($"POST /api/runs answered {(int)response.StatusCode} (attempt {attempt}): {await response.Content.ReadAsStringAsync(ct)}");
                }

                refusals.AddOrUpdate((int)response.StatusCode, 1, (_, n) => n + 1);
                await Task.Delay(TimeSpan.FromMilliseconds(100 * attempt), ct);
            }
        });

    private static async Task<bool> WaitForEndsAsync(AppDatabase database, int runs, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        var lastReport = 0L;
        while (true)
        {
            await using var db = await database.Contexts.CreateDbContextAsync(cancellationToken);
            var states = await db.Runs.AsNoTracking().GroupBy(r => r.State).Select(g => new { g.Key, Count = g.Count() }).ToListAsync(cancellationToken);
            var ended = states.Where(s => s.Key.IsTerminal()).Sum(s => s.Count);
            if (Stopwatch.GetTimestamp() - lastReport > 10 * Stopwatch.Frequency)
            {
                lastReport = Stopwatch.GetTimestamp();
                await Console.Error.WriteLineAsync($"cp-sim: {string.Join(", ", states.Select(s => $"{s.Key} {s.Count}"))}");
            }

            if (ended >= runs)
            {
                return true;
            }

            if (Stopwatch.GetTimestamp() > deadline)
            {
                return false;
            }

            await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
        }
    }

    private static async Task<object> MeasureAsync(AppDatabase database, NodeFarm farm, CancellationToken cancellationToken)
    {
        await using var db = await database.Contexts.CreateDbContextAsync(cancellationToken);
        var runs = await db.Runs.AsNoTracking()
            .Select(r => new { r.Id, r.NodeId, r.State, r.QueuedAt, r.QueueSequence, r.StartedAt, r.FinishedAt })
            .ToListAsync(cancellationToken);
        var deliveries = await db.WebhookDeliveries.AsNoTracking().Select(d => new { d.MessageId, d.RunId, d.Kind }).ToListAsync(cancellationToken);
        var phaseEvents = await db.PhaseEvents.AsNoTracking().GroupBy(e => e.RunId).Select(g => new { RunId = g.Key, Count = g.Count() }).ToListAsync(cancellationToken);
        var protocolRows = await db.ProtocolResults.AsNoTracking().CountAsync(cancellationToken);

        // A lease becomes free when the run holding it ends; the node's next run, queued before that, should start.
        var fromLeaseFree = new List<double>();
        var fromLeaseFreeToNode = new List<double>();
        var fromQueue = new List<double>();
        foreach (var node in runs.GroupBy(r => r.NodeId))
        {
            var ordered = node.OrderBy(r => r.QueuedAt).ThenBy(r => r.QueueSequence).ThenBy(r => r.Id).ToList();
            if (ordered[0].StartedAt is { } firstStart)
            {
                fromQueue.Add((firstStart - ordered[0].QueuedAt).TotalMilliseconds);
            }

            for (var i = 1; i < ordered.Count; i++)
            {
                if (ordered[i - 1].FinishedAt is { } freed && ordered[i].StartedAt is { } started && ordered[i].QueuedAt <= freed)
                {
                    fromLeaseFree.Add((started - freed).TotalMilliseconds);
                    if (farm.Started.TryGetValue(ordered[i].Id, out var reached))
                    {
                        fromLeaseFreeToNode.Add((reached - freed).TotalMilliseconds);
                    }
                }
            }
        }

        var posts = farm.Posts.ToList();
        var accepted = posts.Where(p => p.Status == 200).ToList();
        var acceptedFresh = accepted.Where(p => !p.AnsweredDuplicate).ToList();
        var stored = deliveries.Select(d => d.MessageId).ToHashSet(StringComparer.Ordinal);
        var lost = accepted.Count(p => !stored.Contains(p.MessageId));
        var postedIds = posts.Select(p => p.MessageId).ToHashSet(StringComparer.Ordinal);
        // Every accepted message id once (a retry whose first try was stored but not answered is answered "duplicate"):
        // a run with more phase rows than that stored one twice.
        var acceptedPhases = accepted.Where(p => p.Kind == "phases").GroupBy(p => p.RunId).ToDictionary(g => g.Key, g => g.Select(p => p.MessageId).Distinct(StringComparer.Ordinal).Count());
        var extraPhaseEvents = phaseEvents.Sum(e => Math.Max(0, e.Count - acceptedPhases.GetValueOrDefault(e.RunId)));
        var endedTwice = deliveries.Where(d => d.Kind == "results").GroupBy(d => d.RunId).Count(g => g.Count() > 1);
        var perSecond = accepted.GroupBy(p => (int)p.AnsweredAtSeconds).ToDictionary(g => g.Key, g => g.Count());
        var (first, last) = perSecond.Count == 0 ? (0, 0) : (perSecond.Keys.Min(), perSecond.Keys.Max());
        var buckets = Enumerable.Range(first, last - first + 1).Select(s => perSecond.GetValueOrDefault(s)).ToList();
        var peak10 = buckets.Count < 10 ? (buckets.Count == 0 ? 0 : buckets.Average()) : Enumerable.Range(0, buckets.Count - 9).Max(s => buckets.Skip(s).Take(10).Average());
        return new
        {
            runs = runs.Count,
            callbacksPerRun = runs.Count == 0 ? 0 : Stats.Round(posts.Count / (double)runs.Count),
            states = runs.GroupBy(r => r.State).ToDictionary(g => g.Key.ToString(), g => g.Count()),
            succeeded = runs.Count(r => r.State == RunState.Succeeded),
            dispatch = new
            {
                fromLeaseFreeMs = Stats.Summary(fromLeaseFree),
                fromLeaseFreeToNodeMs = Stats.Summary(fromLeaseFreeToNode),
                firstFromQueueMs = Stats.Summary(fromQueue),
            },
            intake = new
            {
                posted = posts.Count,
                accepted = accepted.Count,
                answeredDuplicate = accepted.Count - acceptedFresh.Count,
                refused = posts.Count - accepted.Count,
                statuses = posts.GroupBy(p => p.Status).ToDictionary(g => g.Key.ToString(CultureInfo.InvariantCulture), g => g.Count()),
                retried = posts.Count(p => p.Attempts > 1),
                peakPerSecond = buckets.Count == 0 ? 0 : buckets.Max(),
                peak10sPerSecond = Stats.Round(peak10),
                meanPerSecond = Stats.Round(buckets.Count == 0 ? 0 : accepted.Count / (double)buckets.Count),
                seconds = buckets.Count,
            },
            stored = new { deliveries = deliveries.Count, phaseEvents = phaseEvents.Sum(e => e.Count), protocolResults = protocolRows, notPosted = deliveries.Count(d => !postedIds.Contains(d.MessageId)) },
            lost,
            duplicates = extraPhaseEvents + endedTwice,
            endedTwice,
            stopsAsked = farm.Stops,
        };
    }

    /// <summary>
    /// A POST to the API; no answer is a failed measurement, never repeated (the app may have stored it, and a second
    /// POST would queue a second run).
    /// </summary>
    private static async Task<HttpResponseMessage> SendAsync(HttpClient api, string path, object body, CancellationToken cancellationToken)
    {
        try
        {
            return await api.PostAsJsonAsync(path, body, cancellationToken);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            throw new BenchException($"POST /{path} got no answer within {api.Timeout.TotalSeconds} s: {ex.Message}", ex);
        }
    }

    private static double[] LoadAverage() =>
        [.. File.ReadAllText("/proc/loadavg").Split(' ').Take(3).Select(v => double.Parse(v, CultureInfo.InvariantCulture))];
}
