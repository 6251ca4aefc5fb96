using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using MathNet.Numerics.Distributions;
using Microsoft.Data.Sqlite;

namespace VPNLens.Bench;

/// <summary>
/// A year (or any number of hours) of hourly scheduled runs on several nodes, each run measuring direct, WireGuard,
/// Nebula and OpenVPN, written like <see cref="Seeder"/> writes runs (the same rows: run, results body, phase events,
/// protocol results), so the history API does its real work over them. The run-level figures vary from run to run
/// (normal, RSD 5 %, seeded), as a real series does. Reports the database's size afterwards.
/// </summary>
internal static class HistorySeeder
{
    private static readonly string[] Protocols = ["direct", "wireguard", "nebula", "openvpn"];

    public static async Task<object> SeedAsync(Options options, CancellationToken cancellationToken)
    {
        var nodes = options.Int("nodes", 10);
        var hours = options.Int("hours", 8760);
        var random = new Random(options.Int("seed", 1));
        var results = JsonNode.Parse(await File.ReadAllTextAsync(options.Required("template"), cancellationToken))?.AsObject()
            ?? throw new BenchException("the template is not a JSON object");
        var protocols = WithEveryProtocol(results);
        var template = results.ToJsonString();
        var settings = results["settings"]?.ToJsonString() ?? "{}";

        var db = options.Required("db");
        await using var connection = await Seeder.OpenAsync(db, cancellationToken);
        var nodeIds = new List<Guid>();
        for (var n = 1; n <= nodes; n++)
        {
            nodeIds.Add(await Seeder.SeedNodeAsync(connection, $"bench-history-{n:D2}", cancellationToken));
        }

        var started = Stopwatch.GetTimestamp();
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var first = now - (hours * 3_600_000L);
        double Factor() => Normal.Sample(random, 1, 0.05);
        const int BatchHours = 100;
        for (var hour = 0; hour < hours; hour += BatchHours)
        {
            await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
            var insert = new Seeder.RunInserter(connection, transaction);
            for (var h = hour; h < Math.Min(hours, hour + BatchHours); h++)
            {
                foreach (var nodeId in nodeIds)
                {
                    var token = System.Buffers.Text.Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
                    await insert.FinishedRunAsync(Guid.NewGuid(), token, nodeId, first + (h * 3_600_000L), protocols, settings, template, cancellationToken, Factor);
                }
            }

            await transaction.CommitAsync(cancellationToken);
        }

        var seconds = Stats.ElapsedMs(started, Stopwatch.GetTimestamp()) / 1000;
        await ExecuteAsync(connection, "PRAGMA wal_checkpoint(TRUNCATE)", cancellationToken);
        return new
        {
            nodes = nodeIds,
            protocols = Protocols,
            hours,
            runs = await Seeder.ScalarAsync(connection, "SELECT COUNT(*) FROM Runs", cancellationToken),
            protocolResults = await Seeder.ScalarAsync(connection, "SELECT COUNT(*) FROM ProtocolResults", cancellationToken),
            phaseEvents = await Seeder.ScalarAsync(connection, "SELECT COUNT(*) FROM PhaseEvents", cancellationToken),
            from = DateTimeOffset.FromUnixTimeMilliseconds(first - 3_600_000L).ToString("O", CultureInfo.InvariantCulture),
            to = DateTimeOffset.FromUnixTimeMilliseconds(now + 3_600_000L).ToString("O", CultureInfo.InvariantCulture),
            seconds = Stats.Round(seconds),
            databaseMb = Megabytes(await Seeder.ScalarAsync(connection, "SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()", cancellationToken)),
            fileMb = Megabytes(FileBytes(db) + FileBytes(db + "-wal")),
            payloads = await PayloadsAsync(connection, cancellationToken),
        };
    }

    /// <summary>The template's protocols, with OpenVPN added as a copy of WireGuard's result when the template has none.</summary>
    private static List<JsonObject> WithEveryProtocol(JsonObject results)
    {
        var list = results["protocols"]?.AsArray() ?? throw new BenchException("the template has no protocols");
        var byName = list.Select(p => p!.AsObject()).ToDictionary(p => (string?)p["protocol"] ?? "", StringComparer.Ordinal);
        foreach (var name in Protocols.Where(p => !byName.ContainsKey(p)))
        {
            var copy = (byName.GetValueOrDefault("wireguard") ?? throw new BenchException($"the template has neither {name} nor wireguard"))
                .DeepClone().AsObject();
            copy["protocol"] = name;
            list.Add(copy);
            byName[name] = copy;
        }

        return [.. Protocols.Select(p => byName[p])];
    }

    /// <summary>Where the bytes are: the stored JSON bodies and the phase events (SQLite's dbstat is not in the app's build).</summary>
    private static async Task<object> PayloadsAsync(SqliteConnection connection, CancellationToken cancellationToken) => new
    {
        runResultsJsonMb = Megabytes(await Seeder.ScalarAsync(connection, "SELECT COALESCE(SUM(LENGTH(ResultsJson)), 0) FROM Runs", cancellationToken)),
        protocolResultJsonMb = Megabytes(await Seeder.ScalarAsync(connection, "SELECT COALESCE(SUM(LENGTH(Json)), 0) FROM ProtocolResults", cancellationToken)),
        phaseEventTextMb = Megabytes(await Seeder.ScalarAsync(connection, "SELECT COALESCE(SUM(LENGTH(Detail) + LENGTH(Phase) + LENGTH(Protocol) + LENGTH(Status)), 0) FROM PhaseEvents", cancellationToken)),
    };

    private static async Task ExecuteAsync(SqliteConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static long FileBytes(string path) => File.Exists(path) ? new FileInfo(path).Length : 0;

    private static double Megabytes(long bytes) => Math.Round(bytes / 1_048_576.0, 1);
}
