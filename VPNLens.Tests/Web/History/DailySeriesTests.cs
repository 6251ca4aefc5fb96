using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Logging.Abstractions;
using VPNLens.Core.Nodes;
using VPNLens.Core.Regressions;
using VPNLens.Core.Results;
using VPNLens.Core.Runs;
using VPNLens.Tests.Infrastructure;
using VPNLens.Web.History;

namespace VPNLens.Tests.Web.History;

public sealed class DailySeriesTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Start = new(2026, 11, 20, 0, 0, 0, TimeSpan.Zero);
    private readonly MemoryCache cache = new(new MemoryCacheOptions());
    private TestDatabase database = null!;
    private Node node = null!;
    private SeriesReader reader = null!;
    private DailyRollup rollup = null!;
    private DailySeries days = null!;

    public async ValueTask InitializeAsync()
    {
        database = await TestDatabase.CreateAsync();
        reader = new SeriesReader(database.Factory);
        var changePoints = new SeriesChangePoints(cache);
        rollup = new DailyRollup(database.Factory, reader, changePoints, NullLogger<DailyRollup>.Instance);
        days = new DailySeries(database.Factory, reader, changePoints);
        node = Seed.Node();
        await database.AddAsync(node);
        await database.AddAsync([.. Hourly(node.Id, Start, 4 * 24, new Random(7))]);
    }

    public async ValueTask DisposeAsync()
    {
        cache.Dispose();
        await database.DisposeAsync();
    }

    /// <summary>Every metric, over the whole series, ranges that cut days and a range of whole days: the stored days answer as every run does.</summary>
    [Fact]
    public async Task The_stored_days_answer_what_every_run_computes()
    {
        var ct = TestContext.Current.CancellationToken;
        Assert.True(await rollup.ReconcileAsync(ct) > 0);
        (DateTimeOffset? From, DateTimeOffset? To)[] ranges =
        [
            (null, null),
            (Start.AddHours(-1), Start.AddDays(5)),
            (Start.AddDays(1).AddHours(6.5), Start.AddDays(3).AddHours(5.5)),
            (Start.AddDays(1), Start.AddDays(3).AddMilliseconds(-1)),
            (Start.AddDays(9), null),
        ];

        foreach (var metric in TrackedMetric.All)
        {
            foreach (var (from, to) in ranges)
            {
                var stored = await days.ReadAsync(node.Id, Protocols.WireGuard, metric, from, to, 0, ct);
                var computed = await ComputedAsync(metric, from, to);

                Assert.NotNull(stored);
                Assert.Equal(computed.Days, stored.Days);
                Assert.Equal(computed.ChangePoints, stored.ChangePoints);
            }
        }

        var download = await days.ReadAsync(node.Id, Protocols.WireGuard, TrackedMetric.TcpDownload, null, null, 0, ct);
        Assert.Equal(4, download!.Days.Count);
        Assert.NotEmpty(download.ChangePoints);
    }

    /// <summary>A day whose stored run count is the runs' is answered from its row; one that is not is read from its runs.</summary>
    [Fact]
    public async Task A_stored_day_answers_unless_its_runs_are_not_the_ones_stored()
    {
        var ct = TestContext.Current.CancellationToken;
        await rollup.ReconcileAsync(ct);
        var first = DateOnly.FromDateTime(Start.UtcDateTime);
        await database.WithDbAsync(async db =>
        {
            await Row(db, first).ExecuteUpdateAsync(s => s.SetProperty(d => d.Median, 1d), ct);
            await Row(db, first.AddDays(1)).ExecuteUpdateAsync(s => s.SetProperty(d => d.Median, 2d).SetProperty(d => d.Runs, d => d.Runs + 1), ct);
        });

        var answer = await days.ReadAsync(node.Id, Protocols.WireGuard, TrackedMetric.TcpDownload, null, null, 0, ct);
        var computed = await ComputedAsync(TrackedMetric.TcpDownload, null, null);

        Assert.Equal(1d, answer!.Days[0].Median);
        Assert.Equal(computed.Days![1], answer.Days[1]);
    }

    /// <summary>A run stored after the days were: its day is computed again from every run of it.</summary>
    [Fact]
    public async Task A_new_result_updates_its_day()
    {
        var ct = TestContext.Current.CancellationToken;
        await rollup.ReconcileAsync(ct);
        var last = DateOnly.FromDateTime(Start.AddDays(3).UtcDateTime);
        var before = await database.WithDbAsync(db => Row(db, last).AsNoTracking().SingleAsync(ct));
        var rows = Hourly(node.Id, Start.AddDays(3).AddMinutes(30), 1, new Random(1), download: 5_000);
        await database.AddAsync([.. rows]);

        await rollup.RefreshRunAsync(rows.OfType<Run>().Single().Id, ct);

        var after = await database.WithDbAsync(db => Row(db, last).AsNoTracking().SingleAsync(ct));
        var computed = await ComputedAsync(TrackedMetric.TcpDownload, null, null);
        Assert.Equal(before.Runs + 1, after.Runs);
        Assert.Equal(5_000e6, after.Max);
        Assert.Equal(computed.Days![^1], new VPNLens.Core.Statistics.DailyBand(after.Day, after.Runs, after.Failed, after.Median, after.Min, after.Max));
        var answer = await days.ReadAsync(node.Id, Protocols.WireGuard, TrackedMetric.TcpDownload, null, null, 0, ct);
        Assert.Equal(computed.Days, answer!.Days);
        Assert.Equal(computed.ChangePoints, answer.ChangePoints);
    }

    [Fact]
    public async Task A_nodes_days_go_with_it()
    {
        var ct = TestContext.Current.CancellationToken;
        await rollup.ReconcileAsync(ct);
        Assert.True(await database.WithDbAsync(db => db.DailyFigures.AnyAsync(d => d.NodeId == node.Id, ct)));

        // a node is removed for good only once its runs are (they keep it otherwise; removing a node hides it)
        await database.WithDbAsync(db => db.Runs.Where(r => r.NodeId == node.Id).ExecuteDeleteAsync(ct));
        await database.WithDbAsync(db => db.Nodes.IgnoreQueryFilters().Where(n => n.Id == node.Id).ExecuteDeleteAsync(ct));

        Assert.False(await database.WithDbAsync(db => db.DailyFigures.AnyAsync(d => d.NodeId == node.Id, ct)));
    }

    [Fact]
    public async Task Fewer_runs_than_asked_for_answer_nothing()
    {
        var ct = TestContext.Current.CancellationToken;
        await rollup.ReconcileAsync(ct);

        Assert.Null(await days.ReadAsync(node.Id, Protocols.WireGuard, TrackedMetric.TcpDownload, null, null, (4 * 24) + 1, ct));
        Assert.NotNull(await days.ReadAsync(node.Id, Protocols.WireGuard, TrackedMetric.TcpDownload, null, null, 4 * 24, ct));
    }

    private IQueryable<DailyFigure> Row(VPNLens.Web.Persistence.AppDbContext db, DateOnly day) =>
        db.DailyFigures.Where(d => d.NodeId == node.Id && d.Protocol == Protocols.WireGuard && d.Metric == TrackedMetric.TcpDownload.Key && d.Day == day);

    private async Task<HistoryDto> ComputedAsync(TrackedMetric metric, DateTimeOffset? from, DateTimeOffset? to)
    {
        using var fresh = new MemoryCache(new MemoryCacheOptions());
        var entries = await reader.ReadFigureAsync(node.Id, Protocols.WireGuard, metric, from, to, TestContext.Current.CancellationToken);
        return HistoryApi.BuildDaily(node.Id, Protocols.WireGuard, metric, entries, new SeriesChangePoints(fresh));
    }

    /// <summary>
    /// Hourly WireGuard runs from <paramref name="start"/>, download ~300 Mbit/s falling to ~200 after two days; some runs
    /// failed, some timed out without results, some succeeded with WireGuard failed, and each has a direct result.
    /// </summary>
    private static List<object> Hourly(Guid nodeId, DateTimeOffset start, int runs, Random random, double? download = null)
    {
        var rows = new List<object>();
        for (var i = 0; i < runs; i++)
        {
            var at = start.AddHours(i).AddMinutes(17);
            var state = i % 11 == 5 ? RunState.TimedOut : i % 7 == 3 ? RunState.Failed : RunState.Succeeded;
            var run = Seed.Run(nodeId, state, protocols: [Protocols.Direct, Protocols.WireGuard]);
            (run.QueuedAt, run.StartedAt, run.FinishedAt) = (at.AddMinutes(-5), at.AddMinutes(-4), at);
            rows.Add(run);
            if (state == RunState.TimedOut)
            {
                continue;
            }

            var mbps = download ?? ((i < 48 ? 300 : 200) * (1 + (0.05 * (random.NextDouble() - 0.5))));
            var succeeded = state == RunState.Succeeded && i % 13 != 8;
            foreach (var protocol in new[] { Protocols.Direct, Protocols.WireGuard })
            {
                rows.Add(new ProtocolResult
                {
                    RunId = run.Id,
                    NodeId = nodeId,
                    FinishedAt = at,
                    Protocol = protocol,
                    Succeeded = succeeded || protocol == Protocols.Direct,
                    DownloadMedianBitsPerSecond = succeeded ? mbps * 1e6 : null,
                    UploadMedianBitsPerSecond = succeeded ? mbps * 0.9e6 : null,
                    LatencyIdleP50Ms = succeeded ? 10 + random.NextDouble() : null,
                    UdpJitterMs = i % 5 == 0 ? null : random.NextDouble(),
                });
            }
        }

        return rows;
    }
}
