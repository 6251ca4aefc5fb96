using Hangfire;
using Hangfire.PostgreSql;
using Hangfire.Storage.SQLite;
using VPNLens.Web.Persistence;

namespace VPNLens.Web.Hosting;

public static class HangfireStorageExtensions
{
    // Hangfire's 15 s default would leave an idle node waiting. On PostgreSQL an enqueue NOTIFYs the workers, so the poll
    // is only a fallback; SQLite's storage has no such wake-up, and a benchmark job waited half the poll on average before
    // it started dispatching (queue to first phase must stay within 1 s), so its workers look 10 times a second.
    private static readonly TimeSpan PostgresQueuePollInterval = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan SqliteQueuePollInterval = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// Hangfire's storage on the app's provider: its own SQLite file (the dequeue lock is in-process: one app process),
    /// or the app's PostgreSQL database in the "hangfire" schema, which several app instances share.
    /// </summary>
    public static IGlobalConfiguration UseVpnLensStorage(this IGlobalConfiguration config, IConfiguration configuration)
    {
        var database = DatabaseOptions.From(configuration);
        if (database.Provider == DatabaseProvider.Postgres)
        {
            return config.UsePostgreSqlStorage(
                options => options.UseNpgsqlConnection(database.ConnectionString),
                new PostgreSqlStorageOptions
                {
                    SchemaName = "hangfire",
                    QueuePollInterval = PostgresQueuePollInterval,
                    // enqueueing NOTIFYs the workers of every instance, which then fetch at once instead of at their next poll
                    EnableLongPolling = true,
                    PrepareSchemaIfNecessary = true,
                });
        }

        var path = configuration.GetConnectionString("Hangfire") ?? "hangfire.db";
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        return config.UseSQLiteStorage(path, new SQLiteStorageOptions { QueuePollInterval = SqliteQueuePollInterval });
    }
}
