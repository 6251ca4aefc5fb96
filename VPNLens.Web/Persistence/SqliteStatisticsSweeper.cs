using Microsoft.EntityFrameworkCore;
using VPNLens.Web.Hosting;

namespace VPNLens.Web.Persistence;

/// <summary>
/// Keeps SQLite's query-planner statistics current: a bounded <c>ANALYZE</c> at start and every hour, as SQLite advises
/// for a long-lived database. Without statistics SQLite reads the history series through the unique (RunId, Protocol)
/// index and each result's full row, JSON included, instead of the covering index of figures. Registered for SQLite only:
/// PostgreSQL's autovacuum analyzes on its own.
/// </summary>
public sealed class SqliteStatisticsSweeper(
    IDbContextFactory<AppDbContext> dbFactory,
    TimeProvider time,
    ILogger<SqliteStatisticsSweeper> logger) : PeriodicSweeper(time, logger)
{
    // At most this many index entries are sampled per index: a second or less however large the database grows.
    private const string Analyze = "PRAGMA analysis_limit = 1000; ANALYZE;";

    protected override TimeSpan Interval => TimeSpan.FromHours(1);

    protected override string Work => "Refreshing SQLite's query statistics";

    protected override Task RoundAsync(CancellationToken cancellationToken) => RefreshAsync(cancellationToken);

    internal async Task RefreshAsync(CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await db.Database.ExecuteSqlRawAsync(Analyze, cancellationToken);
    }
}
