using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Time.Testing;
using VPNLens.Core.Regressions;
using VPNLens.Core.Runs;
using VPNLens.Tests.Infrastructure;
using VPNLens.Web.Alerts;
using VPNLens.Web.History;

namespace VPNLens.Tests.Web.Alerts;

public sealed class AlertEvaluatorTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Start = new(2026, 11, 1, 6, 0, 0, TimeSpan.Zero);
    private readonly FakeTimeProvider time = new(Start);
    private TestDatabase database = null!;
    private AlertEvaluator evaluator = null!;
    private Guid nodeId;

    public async ValueTask InitializeAsync()
    {
        database = await TestDatabase.CreateAsync();
        evaluator = new AlertEvaluator(database.Factory, new SeriesReader(database.Factory), time);
        var node = Seed.Node();
        nodeId = node.Id;
        await database.AddAsync(node);
    }

    public ValueTask DisposeAsync() => database.DisposeAsync();

    [Fact]
    public async Task Results_taken_with_other_settings_are_a_series_of_their_own_and_do_not_close_an_alert_of_the_first()
    {
        var ct = TestContext.Current.CancellationToken;
        await FinishAsync(new RunSettings(), [.. Level(20, 100), .. Level(8, 80)]);
        var opened = await RegressionAlertsAsync();
        Assert.Contains(opened, a => a.Metric == TrackedMetric.TcpDownload.Key);

        // Longer tests on the same tunnel: a level of their own that happens to rise, not a recovery of the 10 s series.
        await FinishAsync(new RunSettings { TcpSeconds = 30 }, [.. Level(8, 80), .. Level(8, 100)]);

        var after = await RegressionAlertsAsync();
        Assert.Equal(opened.Select(a => a.Id), after.Select(a => a.Id));
        Assert.All(after, a => Assert.Null(a.RecoveredAt));
        var keys = await database.WithDbAsync(db => db.SeriesWatches.Where(w => w.Metric == TrackedMetric.TcpDownload.Key && w.Protocol == Protocols.WireGuard).Select(w => w.SettingsKey).ToListAsync(ct));
        Assert.Equal(2, keys.Distinct().Count());
    }

    /// <summary>A level with a small deterministic ripple, as run medians have.</summary>
    private static IEnumerable<double?> Level(int count, double level) =>
        Enumerable.Range(0, count).Select(i => (double?)(level + (i * 7 % 5) - 2));

    /// <summary>Stores one finished run a day after the ones before, each with these settings, and evaluates each as it ends.</summary>
    private async Task FinishAsync(RunSettings settings, double?[] downloadMbps)
    {
        time.Advance(TimeSpan.FromDays(downloadMbps.Length));
        var rows = HistorySeed.Daily(nodeId, time.GetUtcNow(), downloadMbps);
        var runs = rows.OfType<Run>().ToList();
        runs.ForEach(r => r.Settings = settings);
        await database.AddAsync([.. rows]);
        foreach (var run in runs)
        {
            await evaluator.EvaluateAsync(run.Id, TestContext.Current.CancellationToken);
        }
    }

    private Task<List<Alert>> RegressionAlertsAsync() => database.WithDbAsync(db =>
        db.Alerts.AsNoTracking().Where(a => a.Kind == AlertKind.Regression && a.Protocol == Protocols.WireGuard).OrderBy(a => a.Id).ToListAsync());
}
