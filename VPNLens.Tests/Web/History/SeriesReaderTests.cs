using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using VPNLens.Core.Results;
using VPNLens.Core.Runs;
using VPNLens.Tests.Infrastructure;
using VPNLens.Web.History;
using VPNLens.Web.Persistence;

namespace VPNLens.Tests.Web.History;

public sealed class SeriesReaderTests : IAsyncLifetime
{
    private TestDatabase database = null!;

    public async ValueTask InitializeAsync() => database = await TestDatabase.CreateAsync();

    public ValueTask DisposeAsync() => database.DisposeAsync();

    /// <summary>A run row holds the whole results body: a year of them is tens of megabytes the series never needs.</summary>
    [Fact]
    public async Task The_series_reads_runs_from_a_covering_index_never_from_the_run_rows()
    {
        Assert.SkipWhen(TestPostgres.SuiteProvider == DatabaseProvider.Postgres, "The query plan asked for is SQLite's.");
        var ct = TestContext.Current.CancellationToken;

        var plan = await SeriesPlanAsync(ct);

        var runs = Assert.Single(plan, d => d.Contains(" r ", StringComparison.Ordinal) || d.Contains("Runs", StringComparison.Ordinal));
        Assert.Contains("USING COVERING INDEX IX_Runs_NodeId_FinishedAt", runs, StringComparison.Ordinal);
        Assert.DoesNotContain(plan, d => d.Contains("TEMP B-TREE", StringComparison.Ordinal));
    }

    /// <summary>Each result's row carries its JSON: the figures the series needs come from an index once SQLite has statistics.</summary>
    [Fact]
    public async Task With_statistics_the_series_reads_results_from_the_covering_index_of_figures()
    {
        Assert.SkipWhen(TestPostgres.SuiteProvider == DatabaseProvider.Postgres, "The query plan asked for is SQLite's.");
        var ct = TestContext.Current.CancellationToken;
        var node = Seed.Node();
        var runs = Enumerable.Range(0, 40).Select(_ => Seed.Run(node.Id, RunState.Succeeded, protocols: ["wireguard"])).ToList();
        await database.AddAsync([node, .. runs]);
        await database.AddAsync([.. runs.SelectMany(r => new[] { Protocols.Direct, Protocols.WireGuard }, (r, protocol) =>
            new ProtocolResult { RunId = r.Id, Protocol = protocol, Succeeded = true, UploadMedianBitsPerSecond = 1e9 })]);

        await new SqliteStatisticsSweeper(database.Factory, TimeProvider.System, NullLogger<SqliteStatisticsSweeper>.Instance).RefreshAsync(ct);

        var results = Assert.Single(await SeriesPlanAsync(ct), d => d.Contains(" p ", StringComparison.Ordinal) || d.Contains("ProtocolResults", StringComparison.Ordinal));
        Assert.Contains("USING COVERING INDEX IX_ProtocolResults_Figures", results, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Settings_are_read_only_when_asked_for()
    {
        var ct = TestContext.Current.CancellationToken;
        var node = Seed.Node();
        await database.AddAsync(node);
        var rows = HistorySeed.Daily(node.Id, DateTimeOffset.UtcNow.AddHours(-1), 100, 90);
        rows.OfType<Run>().ToList().ForEach(r => r.Settings = new RunSettings { TcpSeconds = 30 });
        await database.AddAsync([.. rows]);
        var reader = new SeriesReader(database.Factory);

        var plain = await reader.ReadAsync(node.Id, Protocols.WireGuard, null, null, null, withSettings: false, ct);
        var withSettings = await reader.ReadAsync(node.Id, Protocols.WireGuard, null, null, null, withSettings: true, ct);

        Assert.All(plain, e => Assert.Null(e.Settings));
        Assert.Equal(plain.Select(e => e.RunId), withSettings.Select(e => e.RunId));
        Assert.All(withSettings, e => Assert.Equal(30, e.Settings!.TcpSeconds));
    }

    private Task<List<string>> SeriesPlanAsync(CancellationToken ct) => database.WithDbAsync(async db =>
    {
        var query = SeriesReader.Query(db, Guid.NewGuid(), Protocols.WireGuard, DateTimeOffset.UnixEpoch, DateTimeOffset.UtcNow);
        await db.Database.OpenConnectionAsync(ct);
        await using var command = query.CreateDbCommand();
        command.CommandText = $"EXPLAIN QUERY PLAN {command.CommandText}";
        var details = new List<string>();
        await using DbDataReader reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            details.Add(reader.GetString(3));
        }

        return details;
    });
}
