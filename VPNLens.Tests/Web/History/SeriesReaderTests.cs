using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using VPNLens.Core.Regressions;
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

        var plan = await PlanAsync(db => SeriesReader.Runs(db, Guid.NewGuid(), Protocols.WireGuard, DateTimeOffset.UnixEpoch, DateTimeOffset.UtcNow), ct);

        var runs = Assert.Single(plan);
        Assert.Contains("USING COVERING INDEX IX_Runs_NodeId_FinishedAt", runs, StringComparison.Ordinal);
        Assert.DoesNotContain(plan, d => d.Contains("TEMP B-TREE", StringComparison.Ordinal));
    }

    /// <summary>
    /// A year of a node's results is one range of the series index, figures included: no lookup by run id for each
    /// result, and no result row (each carries its error text) read.
    /// </summary>
    [Fact]
    public async Task The_series_reads_results_by_one_range_scan_of_the_series_index()
    {
        Assert.SkipWhen(TestPostgres.SuiteProvider == DatabaseProvider.Postgres, "The query plan asked for is SQLite's.");
        var ct = TestContext.Current.CancellationToken;
        var node = Seed.Node();
        var runs = Enumerable.Range(0, 40).Select(_ => Seed.Run(node.Id, RunState.Succeeded, protocols: ["wireguard"])).ToList();
        await database.AddAsync([node, .. runs]);
        await database.AddAsync([.. runs.SelectMany(r => new[] { Protocols.Direct, Protocols.WireGuard }, (r, protocol) =>
            new ProtocolResult { RunId = r.Id, NodeId = node.Id, FinishedAt = r.StartedAt!.Value, Protocol = protocol, Succeeded = true, UploadMedianBitsPerSecond = 1e9 })]);
        await new SqliteStatisticsSweeper(database.Factory, TimeProvider.System, NullLogger<SqliteStatisticsSweeper>.Instance).RefreshAsync(ct);

        var plan = await PlanAsync(db => SeriesReader.Results(db, node.Id, Protocols.WireGuard, DateTimeOffset.UnixEpoch, DateTimeOffset.UtcNow), ct);
        var figurePlan = await PlanAsync(db => SeriesReader.Results(db, node.Id, Protocols.WireGuard, DateTimeOffset.UnixEpoch, DateTimeOffset.UtcNow, TrackedMetric.LatencyIdleP50), ct);

        var results = Assert.Single(plan);
        Assert.Contains("USING COVERING INDEX IX_ProtocolResults_Series (NodeId=? AND Protocol=? AND FinishedAt>? AND FinishedAt<?)", results, StringComparison.Ordinal);
        Assert.Equal(plan, figurePlan);
    }

    /// <summary>Results are matched to the node's runs: another node's result in the same time is never read as this node's.</summary>
    [Fact]
    public async Task A_series_holds_the_results_of_its_own_node_and_marks_its_runs_without_one()
    {
        var ct = TestContext.Current.CancellationToken;
        var node = Seed.Node();
        var other = Seed.Node("node2");
        await database.AddAsync(node, other);
        var end = DateTimeOffset.UtcNow.AddHours(-1);
        var rows = HistorySeed.Daily(node.Id, end, 100, null, 90);
        var timedOut = Seed.Run(node.Id, RunState.TimedOut, protocols: [Protocols.WireGuard]);
        timedOut.FinishedAt = end.AddHours(-12);
        await database.AddAsync([.. rows, timedOut, .. HistorySeed.Daily(other.Id, end, 50, 60, 70)]);

        var series = await new SeriesReader(database.Factory).ReadAsync(node.Id, Protocols.WireGuard, null, null, null, withSettings: false, ct);

        Assert.Equal([RunState.Succeeded, RunState.Failed, RunState.TimedOut, RunState.Succeeded], series.Select(e => e.State));
        Assert.Equal([100e6, null, null, 90e6], series.Select(e => e.Result?.DownloadMedianBitsPerSecond));
        Assert.Equal([true, false, false, true], series.Select(e => e.Succeeded));
        Assert.Equal(series.OrderBy(e => e.At).Select(e => e.RunId), series.Select(e => e.RunId));
    }

    /// <summary>The API's series reads the one figure it answers: the same runs, states and values, the other figures left unread.</summary>
    [Fact]
    public async Task A_figure_series_is_the_series_with_only_that_figure_read()
    {
        var ct = TestContext.Current.CancellationToken;
        var node = Seed.Node();
        await database.AddAsync(node);
        await database.AddAsync([.. HistorySeed.Daily(node.Id, DateTimeOffset.UtcNow.AddHours(-1), 100, null, 90)]);
        var reader = new SeriesReader(database.Factory);

        var all = await reader.ReadAsync(node.Id, Protocols.WireGuard, null, null, null, withSettings: false, ct);
        var download = await reader.ReadFigureAsync(node.Id, Protocols.WireGuard, TrackedMetric.TcpDownload, null, null, ct);

        Assert.Equal(all.Select(e => (e.RunId, e.At, e.State, e.Succeeded)), download.Select(e => (e.RunId, e.At, e.State, e.Succeeded)));
        Assert.Equal([100e6, null, 90e6], download.Select(e => e.Result?.DownloadMedianBitsPerSecond));
        Assert.Equal([90e6, null, 81e6], all.Select(e => e.Result?.UploadMedianBitsPerSecond));
        Assert.All(download, e => Assert.Null(e.Result?.UploadMedianBitsPerSecond));
        Assert.All(download, e => Assert.Null(e.Result?.LatencyIdleP50Ms));
        Assert.All(download, e => Assert.Equal(Protocols.WireGuard, e.Result?.Protocol));
    }

    /// <summary>Which runs measured the protocol is decided on the stored list in the query: a name inside another never matches.</summary>
    [Fact]
    public async Task A_series_holds_only_the_runs_that_measured_its_protocol()
    {
        var ct = TestContext.Current.CancellationToken;
        var node = Seed.Node();
        await database.AddAsync(node);
        var end = DateTimeOffset.UtcNow.AddHours(-1);
        var measured = Finished(Seed.Run(node.Id, RunState.Failed, protocols: [Protocols.Direct, Protocols.WireGuard]), end.AddHours(-3));
        var other = Finished(Seed.Run(node.Id, RunState.Failed, protocols: [Protocols.Nebula]), end.AddHours(-2));
        var alike = Finished(Seed.Run(node.Id, RunState.Failed, protocols: [Protocols.Nebula]), end.AddHours(-1));
        alike.Protocols = [$"{Protocols.WireGuard}2", $"x{Protocols.WireGuard}"];
        var cancelled = Finished(Seed.Run(node.Id, RunState.Cancelled, protocols: [Protocols.WireGuard]), end);
        await database.AddAsync(measured, other, alike, cancelled);

        var series = await new SeriesReader(database.Factory).ReadAsync(node.Id, Protocols.WireGuard, null, null, null, withSettings: false, ct);
        var direct = await new SeriesReader(database.Factory).ReadAsync(node.Id, Protocols.Direct, null, null, null, withSettings: false, ct);

        Assert.Equal(measured.Id, Assert.Single(series).RunId);
        Assert.Contains(direct, e => e.RunId == measured.Id);
        Assert.DoesNotContain(direct, e => e.RunId == cancelled.Id);
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

    private static Run Finished(Run run, DateTimeOffset at)
    {
        run.FinishedAt = at;
        return run;
    }

    private Task<List<string>> PlanAsync<T>(Func<AppDbContext, IQueryable<T>> queryOf, CancellationToken ct) => database.WithDbAsync(async db =>
    {
        var query = queryOf(db);
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
