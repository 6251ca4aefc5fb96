using Hangfire;
using Hangfire.PostgreSql;
using Hangfire.Storage.SQLite;
using VPNLens.Web.Persistence;

namespace VPNLens.Web.Hosting;

public static class HangfireStorageExtensions
{
    // Hangfire's 15 s default would leave an alert's announcement, or a dispatch round or start handed over by a stopping
    // instance, waiting that long. No run's start waits for a worker: rounds and starts run in process. On PostgreSQL an
    // enqueue also NOTIFYs the workers, so there the poll is only a fallback.
    private static readonly TimeSpan QueuePollInterval = TimeSpan.FromMilliseconds(500);

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
                    QueuePollInterval = QueuePollInterval,
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

        return config.UseSQLiteStorage(path, new SQLiteStorageOptions { QueuePollInterval = QueuePollInterval });
    }
}
