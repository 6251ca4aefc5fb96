using System.Buffers.Text;
using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;

namespace VPNLens.Bench;

/// <summary>
/// Fills the app's SQLite database with finished runs shaped like real ones (a run row with its results
/// body, a phase event per phase and protocol, a result row per protocol), written with plain SQL
/// against the app's schema so 100,000 runs take seconds. Also makes the running runs the push,
/// intake and circuit measurements post to, and waits for the queue to be idle.
/// </summary>
internal static class Seeder
{
    private const string SeedNodeName = "bench-seed-node";

    private static readonly string[] PhaseNames =
    [
        "stop_everything", "bring_up", "rung_interface", "rung_ip", "rung_route", "rung_ping", "rung_backend", "rung_full_size",
        "latency_idle", "tcp_upload", "tcp_download", "tcp_parallel", "tcp_bidir", "latency_loaded", "udp", "cpu", "recovery", "teardown",
    ];

    public static async Task<object> SeedAsync(Options options, CancellationToken cancellationToken)
    {
        var runs = options.Int("runs", 1000);
        var template = await File.ReadAllTextAsync(options.Required("template"), cancellationToken);
        var results = JsonNode.Parse(template)?.AsObject() ?? throw new BenchException("the template is not a JSON object");
        var protocols = (results["protocols"]?.AsArray() ?? throw new BenchException("the template has no protocols"))
            .Select(p => p!.AsObject()).ToList();
        var settings = results["settings"]?.ToJsonString() ?? "{}";
        var tokenSample = options.Int("tokens", 1000);

        await using var connection = await OpenAsync(options.Required("db"), cancellationToken);
        var nodeId = await SeedNodeAsync(connection, SeedNodeName, cancellationToken);
        var started = Stopwatch.GetTimestamp();
        var tokens = new List<string>(tokenSample);
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        const int Batch = 2000;
        for (var first = 0; first < runs; first += Batch)
        {
            await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
            var insert = new RunInserter(connection, transaction);
            for (var i = first; i < Math.Min(runs, first + Batch); i++)
            {
                var token = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
                var queued = now - ((runs - i) * 60_000L);
                await insert.FinishedRunAsync(Guid.NewGuid(), token, nodeId, queued, protocols, settings, template, cancellationToken);
                // reservoir sample: every run equally likely to be a wrk target
                if (tokens.Count < tokenSample)
                {
                    tokens.Add(token);
                }
                else if (RandomNumberGenerator.GetInt32(i + 1) < tokenSample)
                {
                    tokens[RandomNumberGenerator.GetInt32(tokenSample)] = token;
                }
            }

            await transaction.CommitAsync(cancellationToken);
        }

        var tokensOut = options.Text("tokens-out", "");
        if (tokensOut.Length > 0)
        {
            await File.WriteAllLinesAsync(tokensOut, tokens, cancellationToken);
        }

        return new
        {
            runs,
            total = await ScalarAsync(connection, "SELECT COUNT(*) FROM Runs", cancellationToken),
            phaseEvents = await ScalarAsync(connection, "SELECT COUNT(*) FROM PhaseEvents", cancellationToken),
            seconds = Stats.Round(Stats.ElapsedMs(started, Stopwatch.GetTimestamp()) / 1000),
            nodeId,
        };
    }

    /// <summary>A run in state Running with a known callback secret, deadline hours away, never dispatched.</summary>
    public static async Task<object> RunningRunAsync(Options options, CancellationToken cancellationToken)
    {
        var protocols = options.Text("protocols", "direct,wireguard");
        await using var connection = await OpenAsync(options.Required("db"), cancellationToken);
        var id = Guid.NewGuid();
        var token = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
        var secret = "whsec_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(24));
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        await using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO Runs (Id, PublicToken, RequesterEmail, NodeId, Protocols, Settings, State, QueuedAt, StartedAt,
                FinishedAt, Timeout, DeadlineAt, FailureReason, CallbackSecret, RemotePid, RemoteStopPending, ResultsJson,
                EmailStatus, EmailAttempts, EmailError)
            VALUES ($id, $token, 'bench@vpnlens.test', $node, $protocols, '{}', 'Running', $now, $now,
                NULL, $timeout, $deadline, NULL, $secret, NULL, 0, NULL, 'Pending', 0, NULL)
            """;
        command.Parameters.AddWithValue("$id", Text(id));
        command.Parameters.AddWithValue("$token", token);
        command.Parameters.AddWithValue("$node", Text(options.Guid("node-id")));
        command.Parameters.AddWithValue("$protocols", protocols);
        command.Parameters.AddWithValue("$now", now);
        command.Parameters.AddWithValue("$timeout", TimeSpan.FromHours(3).Ticks);
        command.Parameters.AddWithValue("$deadline", now + (long)TimeSpan.FromHours(3).TotalMilliseconds);
        command.Parameters.AddWithValue("$secret", secret);
        await command.ExecuteNonQueryAsync(cancellationToken);
        return new { id, token, secret, protocols };
    }

    /// <summary>Waits until no run is queued, running or waiting for its script to be stopped.</summary>
    public static async Task<object> WaitIdleAsync(Options options, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.GetTimestamp() + (options.Int("timeout-seconds", 120) * Stopwatch.Frequency);
        await using var connection = await OpenAsync(options.Required("db"), cancellationToken);
        var started = Stopwatch.GetTimestamp();
        while (true)
        {
            var busy = await ScalarAsync(connection, "SELECT COUNT(*) FROM Runs WHERE State IN ('Queued', 'Running') OR RemoteStopPending = 1", cancellationToken);
            if (busy == 0)
            {
                return new { idle = true, waitedMs = Stats.Round(Stats.ElapsedMs(started, Stopwatch.GetTimestamp())) };
            }

            if (Stopwatch.GetTimestamp() > deadline)
            {
                throw new BenchException($"{busy} run(s) still queued, running or being stopped");
            }

            await Task.Delay(100, cancellationToken);
        }
    }

    public static async Task<SqliteConnection> OpenAsync(string path, CancellationToken cancellationToken)
    {
        if (!File.Exists(path))
        {
            throw new BenchException($"no database at {path} (start the app once so it migrates)");
        }

        var connection = new SqliteConnection($"Data Source={path}");
        await connection.OpenAsync(cancellationToken);
        await using var pragma = connection.CreateCommand();
        pragma.CommandText = "PRAGMA busy_timeout = 30000; PRAGMA synchronous = NORMAL;";
        await pragma.ExecuteNonQueryAsync(cancellationToken);
        return connection;
    }

    public static async Task<long> ScalarAsync(SqliteConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
    }

    // EF Core's SQLite provider stores a Guid as upper-case text.
    public static string Text(Guid id) => id.ToString().ToUpperInvariant();

    /// <summary>The node named <paramref name="name"/>, made when there is none yet; never dispatched to.</summary>
    public static async Task<Guid> SeedNodeAsync(SqliteConnection connection, string name, CancellationToken cancellationToken)
    {
        await using var find = connection.CreateCommand();
        find.CommandText = "SELECT Id FROM Nodes WHERE Name = $name";
        find.Parameters.AddWithValue("$name", name);
        if (await find.ExecuteScalarAsync(cancellationToken) is string existing)
        {
            return Guid.Parse(existing);
        }

        var id = Guid.NewGuid();
        await using var insert = connection.CreateCommand();
        // 198.18.0.250 is in the benchmarking range and never a lab host: runs here are never dispatched.
        insert.CommandText = """
            INSERT INTO Nodes (Id, Name, Host, Port, User, HostKeyFingerprint, PrivateKeyPath, CreatedAt)
            VALUES ($id, $name, '198.18.0.250', 22, 'root', 'SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', '/nonexistent', $now)
            """;
        insert.Parameters.AddWithValue("$id", Text(id));
        insert.Parameters.AddWithValue("$name", name);
        insert.Parameters.AddWithValue("$now", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        await insert.ExecuteNonQueryAsync(cancellationToken);
        return id;
    }

    /// <summary>Prepared inserts for one finished run: its row, its phase events and its protocol results.</summary>
    internal sealed class RunInserter
    {
        private readonly SqliteCommand run;
        private readonly SqliteCommand phase;
        private readonly SqliteCommand result;

        public RunInserter(SqliteConnection connection, SqliteTransaction transaction)
        {
            run = Prepare(connection, transaction, """
                INSERT INTO Runs (Id, PublicToken, RequesterEmail, NodeId, Protocols, Settings, State, QueuedAt, StartedAt,
                    FinishedAt, Timeout, DeadlineAt, FailureReason, CallbackSecret, RemotePid, RemoteStopPending, ResultsJson,
                    EmailStatus, EmailAttempts, EmailError)
                VALUES ($id, $token, 'bench@vpnlens.test', $node, $protocols, $settings, 'Succeeded', $queued, $started,
                    $finished, $timeout, $deadline, NULL, $secret, 4242, 0, $results, 'NotConfigured', 0, NULL)
                """, "$id", "$token", "$node", "$protocols", "$settings", "$queued", "$started", "$finished", "$timeout", "$deadline", "$secret", "$results");
            phase = Prepare(connection, transaction, """
                INSERT INTO PhaseEvents (RunId, Protocol, Phase, Status, StartedAt, EndedAt, Detail, ReceivedAt)
                VALUES ($run, $protocol, $phase, $status, $started, $ended, $detail, $ended)
                """, "$run", "$protocol", "$phase", "$status", "$started", "$ended", "$detail");
            result = Prepare(connection, transaction, """
                INSERT INTO ProtocolResults (RunId, Protocol, Succeeded, ErrorPhase, ErrorMessage, UploadMedianBitsPerSecond,
                    DownloadMedianBitsPerSecond, LatencyIdleP50Ms, UdpJitterMs, UdpLossPercent, SetupMs, RecoveryMs, Json)
                VALUES ($run, $protocol, 1, NULL, NULL, $up, $down, $rtt, $jitter, $loss, $setup, $recovery, $json)
                """, "$run", "$protocol", "$up", "$down", "$rtt", "$jitter", "$loss", "$setup", "$recovery", "$json");
        }

        /// <summary>
        /// One finished run with the template's protocols. With <paramref name="factor"/>, each protocol's run-level figures
        /// are the template's scaled by one draw of it (throughput times it, times and latencies divided by it), so a
        /// series of runs varies like a real one.
        /// </summary>
        public async Task FinishedRunAsync(
            Guid id, string token, Guid nodeId, long queued, List<JsonObject> protocols, string settings, string results, CancellationToken cancellationToken,
            Func<double>? factor = null)
        {
            var runId = Text(id);
            var started = queued + 1_500;
            var clock = started + 1_000;
            var finished = clock + (protocols.Count * PhaseNames.Sum(p => PhaseLength(p) + 20));
            Set(run, runId, token, Text(nodeId), string.Join(',', protocols.Select(p => (string?)p["protocol"])), settings, queued, started,
                finished, TimeSpan.FromMinutes(10).Ticks, started + 600_000, "whsec_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(24)), results);
            await run.ExecuteNonQueryAsync(cancellationToken);
            foreach (var protocol in protocols)
            {
                var name = (string?)protocol["protocol"] ?? "direct";
                foreach (var phaseName in PhaseNames)
                {
                    var skipped = name == "direct" && phaseName == "recovery";
                    Set(phase, runId, name, phaseName, skipped ? "Skipped" : "Succeeded", clock, clock + PhaseLength(phaseName), $"{phaseName} done");
                    await phase.ExecuteNonQueryAsync(cancellationToken);
                    clock += PhaseLength(phaseName) + 20;
                }

                var f = factor?.Invoke() ?? 1;
                Set(result, runId, name, Median(protocol["tcpUpload"], "bitsPerSecond") * f, Median(protocol["tcpDownload"], "bitsPerSecond") * f,
                    Median(protocol["latencyIdle"]?["rttMs"], null) / f, Median(protocol["udp"], "jitterMs") / f, Median(protocol["udp"], "lostPercent"),
                    (double?)protocol["setupMs"] / f, (double?)protocol["recovery"]?["ms"] / f, protocol.ToJsonString());
                await result.ExecuteNonQueryAsync(cancellationToken);
            }
        }

        private static long PhaseLength(string phaseName) => phaseName is "tcp_upload" or "tcp_download" or "udp" ? 11_000 : 300;

        private static SqliteCommand Prepare(SqliteConnection connection, SqliteTransaction transaction, string sql, params string[] names)
        {
            var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = sql;
            foreach (var name in names)
            {
                command.Parameters.Add(new SqliteParameter { ParameterName = name });
            }

            return command;
        }

        private static void Set(SqliteCommand command, params object?[] values)
        {
            for (var i = 0; i < values.Length; i++)
            {
                command.Parameters[i].Value = values[i] ?? DBNull.Value;
            }
        }

        // The median of an array of numbers, or of one field of an array of objects; null when empty.
        private static double? Median(JsonNode? array, string? field)
        {
            var values = (array as JsonArray ?? []).Select(v => (double?)(field is null ? v : v?[field]) ?? 0).Order().ToArray();
            return values.Length == 0 ? null : values[values.Length / 2];
        }
    }
}
