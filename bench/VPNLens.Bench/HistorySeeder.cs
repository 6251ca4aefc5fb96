using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using MathNet.Numerics.Distributions;
using Microsoft.EntityFrameworkCore;
using VPNLens.Web.Persistence;

namespace VPNLens.Bench;

/// <summary>
/// A year (or any number of hours) of hourly scheduled runs on several nodes, each run measuring direct, WireGuard,
/// Nebula and OpenVPN, written like <see cref="Seeder"/> writes runs (the same rows: run, results body, phase events,
/// protocol results), so the history API does its real work over them. The run-level figures vary from run to run
/// (normal, RSD 5 %, seeded), as a real series does. Reports the database's size afterwards.
/// </summary>
internal static class HistorySeeder
{
    private const int RunsPerBatch = 1000;

    private static readonly string[] Protocols = [VPNLens.Core.Runs.Protocols.Direct, VPNLens.Core.Runs.Protocols.WireGuard, VPNLens.Core.Runs.Protocols.Nebula, VPNLens.Core.Runs.Protocols.OpenVpn];

    public static async Task<object> SeedAsync(Options options, CancellationToken cancellationToken)
    {
        var nodes = options.Int("nodes", 10);
        var hours = options.Int("hours", 8760);
        var random = new Random(options.Int("seed", 1));
        var results = JsonNode.Parse(await File.ReadAllTextAsync(options.Required("template"), cancellationToken))?.AsObject()
            ?? throw new BenchException("the template is not a JSON object");
        WithEveryProtocol(results);
        var template = results.ToJsonString();

        await using var database = AppDatabase.Open(options);
        var nodeIds = new List<Guid>();
        for (var n = 1; n <= nodes; n++)
        {
            nodeIds.Add(await Seeder.SeedNodeAsync(database, $"bench-history-{n:D2}", cancellationToken));
        }

        FinishedRuns finished;
        await using (var db = await database.Contexts.CreateDbContextAsync(cancellationToken))
        {
            finished = FinishedRuns.Of(template, db);
        }

        var started = Stopwatch.GetTimestamp();
        var now = DateTimeOffset.UtcNow;
        var first = now.AddHours(-hours);
        double Factor() => Normal.Sample(random, 1, 0.05);
        await database.InsertInBatchesAsync(hours * nodes, RunsPerBatch, (store, i) =>
            finished.Add(store, nodeIds[i % nodes], first.AddHours(i / nodes), now, Factor), cancellationToken);

        var seconds = Stats.ElapsedMs(started, Stopwatch.GetTimestamp()) / 1000;
        await using var read = await database.Contexts.CreateDbContextAsync(cancellationToken);
        await read.Database.ExecuteSqlRawAsync("PRAGMA wal_checkpoint(TRUNCATE)", cancellationToken);
        return new
        {
            nodes = nodeIds,
            protocols = finished.Protocols,
            hours,
            runs = await read.Runs.LongCountAsync(cancellationToken),
            protocolResults = await read.ProtocolResults.LongCountAsync(cancellationToken),
            phaseEvents = await read.PhaseEvents.LongCountAsync(cancellationToken),
            from = first.AddHours(-1).ToString("O", CultureInfo.InvariantCulture),
            to = now.AddHours(1).ToString("O", CultureInfo.InvariantCulture),
            seconds = Stats.Round(seconds),
            databaseMb = Megabytes(await ScalarAsync(read, "SELECT page_count * page_size AS Value FROM pragma_page_count(), pragma_page_size()", cancellationToken)),
            fileMb = Megabytes(FileBytes(database.Path) + FileBytes(database.Path + "-wal")),
            payloads = await PayloadsAsync(read, cancellationToken),
        };
    }

    /// <summary>The template's protocols in <see cref="Protocols"/>' order, with any missing one added as a copy of WireGuard's result.</summary>
    private static void WithEveryProtocol(JsonObject results)
    {
        var list = results["protocols"]?.AsArray() ?? throw new BenchException("the template has no protocols");
        var byName = list.Select(p => p!.AsObject()).ToDictionary(p => (string?)p["protocol"] ?? "", StringComparer.Ordinal);
        foreach (var name in Protocols.Where(p => !byName.ContainsKey(p)))
        {
            var copy = (byName.GetValueOrDefault(VPNLens.Core.Runs.Protocols.WireGuard) ?? throw new BenchException($"the template has neither {name} nor wireguard"))
                .DeepClone().AsObject();
            copy["protocol"] = name;
            byName[name] = copy;
        }

        results["protocols"] = new JsonArray([.. Protocols.Select(p => byName[p].DeepClone())]);
    }

    /// <summary>Where the bytes are: the stored JSON bodies and the phase events (SQLite's dbstat is not in the app's build).</summary>
    private static async Task<object> PayloadsAsync(AppDbContext db, CancellationToken cancellationToken) => new
    {
        runResultsJsonMb = Megabytes(await db.Runs.SumAsync(r => (long?)r.ResultsJson!.Length, cancellationToken) ?? 0),
        phaseEventTextMb = Megabytes(await ScalarAsync(db, "SELECT COALESCE(SUM(LENGTH(Detail) + LENGTH(Phase) + LENGTH(Protocol) + LENGTH(Status)), 0) AS Value FROM PhaseEvents", cancellationToken)),
    };

    /// <summary>A figure of the SQLite file itself, which the model has no entity for.</summary>
    private static async Task<long> ScalarAsync(AppDbContext db, string sql, CancellationToken cancellationToken) =>
        await db.Database.SqlQueryRaw<long>(sql).SingleAsync(cancellationToken);

    private static long FileBytes(string path) => File.Exists(path) ? new FileInfo(path).Length : 0;

    internal static double Megabytes(long bytes) => Math.Round(bytes / 1_048_576.0, 1);
}
