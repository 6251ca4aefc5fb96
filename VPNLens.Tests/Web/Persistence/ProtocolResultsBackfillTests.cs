using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using VPNLens.Core.Runs;
using VPNLens.Tests.Infrastructure;

namespace VPNLens.Tests.Web.Persistence;

public sealed class ProtocolResultsBackfillTests : IAsyncLifetime
{
    private const string Migration = "_ProtocolResultsSeriesColumns";

    private TestDatabase database = null!;

    public async ValueTask InitializeAsync() => database = await TestDatabase.CreateAsync();

    public ValueTask DisposeAsync() => database.DisposeAsync();

    /// <summary>Results stored before the series columns existed take their run's node and end when the database is migrated.</summary>
    [Fact]
    public async Task Results_stored_before_the_series_columns_take_their_runs_node_and_end()
    {
        var ct = TestContext.Current.CancellationToken;
        var node = Seed.Node();
        var run = Seed.Run(node.Id, RunState.Succeeded, protocols: [Protocols.WireGuard]);
        run.FinishedAt = DateTimeOffset.FromUnixTimeMilliseconds(1_780_000_000_000);
        var unfinished = Seed.Run(node.Id, RunState.Running, protocols: [Protocols.WireGuard]);

        await database.WithDbAsync(async db =>
        {
            var migrations = db.Database.GetMigrations().ToList();
            var before = migrations[migrations.FindIndex(m => m.EndsWith(Migration, StringComparison.Ordinal)) - 1];
            var migrator = db.GetService<IMigrator>();
            await migrator.MigrateAsync(before, ct);

            db.AddRange(node, run, unfinished);
            await db.SaveChangesAsync(ct);
            await db.Database.ExecuteSqlRawAsync(
                """INSERT INTO "ProtocolResults" ("RunId", "Protocol", "Succeeded") SELECT "Id", 'wireguard', TRUE FROM "Runs" """, ct);

            await migrator.MigrateAsync(cancellationToken: ct);
        });

        var results = await database.WithDbAsync(db => db.ProtocolResults.AsNoTracking().ToDictionaryAsync(r => r.RunId, ct));
        Assert.Equal(2, results.Count);
        Assert.Equal(node.Id, results[run.Id].NodeId);
        Assert.Equal(run.FinishedAt, results[run.Id].FinishedAt);
        Assert.Equal(node.Id, results[unfinished.Id].NodeId);
        Assert.Equal(DateTimeOffset.UnixEpoch, results[unfinished.Id].FinishedAt);
    }
}
