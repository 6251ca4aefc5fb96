using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using VPNLens.Web.Persistence;
using VPNLens.Web.Retention;

namespace VPNLens.Bench;

/// <summary>
/// Retention over a seeded database: the app's own <see cref="RawSampleThinner"/> at the app's default age (or --days)
/// until no run past it is left, as a year-old app that has thinned every hour would hold it, and the database's
/// size before and after.
/// </summary>
internal static class RetentionRound
{
    public static async Task<object> RunAsync(Options options, CancellationToken cancellationToken)
    {
        var days = options.Int("days", new RetentionOptions().RawSamplesDays);
        await using var database = AppDatabase.Open(options);
        var before = await SizeAsync(database, cancellationToken);
        var thinner = new RawSampleThinner(
            database.Contexts,
            Microsoft.Extensions.Options.Options.Create(new RetentionOptions { RawSamplesDays = days, BatchSize = options.Int("batch", 1000) }),
            TimeProvider.System);
        var started = Stopwatch.GetTimestamp();
        var thinned = await thinner.ThinAsync(cancellationToken);
        var seconds = Stats.ElapsedMs(started, Stopwatch.GetTimestamp()) / 1000;
        return new { days, runsThinned = thinned, seconds = Stats.Round(seconds), before, after = await SizeAsync(database, cancellationToken) };
    }

    private static async Task<object> SizeAsync(AppDatabase database, CancellationToken cancellationToken)
    {
        await using var db = await database.Contexts.CreateDbContextAsync(cancellationToken);
        await db.Database.OpenConnectionAsync(cancellationToken);
        await PragmaAsync(db, "wal_checkpoint(TRUNCATE)", cancellationToken);
        var pageSize = await PragmaAsync(db, "page_size", cancellationToken);
        return new
        {
            databaseMb = HistorySeeder.Megabytes(await PragmaAsync(db, "page_count", cancellationToken) * pageSize),
            freeMb = HistorySeeder.Megabytes(await PragmaAsync(db, "freelist_count", cancellationToken) * pageSize),
            fileMb = HistorySeeder.Megabytes(new FileInfo(database.Path).Length),
            autoVacuum = await PragmaAsync(db, "auto_vacuum", cancellationToken) switch { 1 => "full", 2 => "incremental", _ => "none" },
        };
    }

    private static async Task<long> PragmaAsync(AppDbContext db, string pragma, CancellationToken cancellationToken)
    {
        await using var command = db.Database.GetDbConnection().CreateCommand();
        command.CommandText = $"PRAGMA {pragma}";
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
    }
}
