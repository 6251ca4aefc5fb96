using Hangfire;
using Hangfire.PostgreSql;
using Hangfire.Storage.SQLite;
using VPNLens.Web.Persistence;

namespace VPNLens.Web.Hosting;

public static class HangfireStorageExtensions
{
    // Hangfire's 15 s default would leave an idle node waiting; a new run must start within 2 s.
    private static readonly TimeSpan QueuePollInterval = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// Hangfire's storage on the app's provider: its own SQLite file (the dequeue lock is in-process: one app process),
    /// or the app's PostgreSQL database in the "hangfire" schema, which several app instances share.
    /// </summary>
    /// <param name="jobTimeout">How long a job may hold its worker; a fetched job stays invisible to others far longer.</param>
    public static IGlobalConfiguration UseVpnLensStorage(this IGlobalConfiguration config, IConfiguration configuration, TimeSpan jobTimeout)
    {
        var database = DatabaseOptions.From(configuration);
        var invisibility = jobTimeout * 3 + TimeSpan.FromHours(1);
        if (database.Provider == DatabaseProvider.Postgres)
        {
            return config.UsePostgreSqlStorage(
                options => options.UseNpgsqlConnection(database.ConnectionString),
                new PostgreSqlStorageOptions
                {
                    SchemaName = "hangfire",
                    QueuePollInterval = QueuePollInterval,
                    InvisibilityTimeout = invisibility,
                    PrepareSchemaIfNecessary = true,
                });
        }

        var path = configuration.GetConnectionString("Hangfire") ?? "hangfire.db";
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        return config.UseSQLiteStorage(path, new SQLiteStorageOptions
        {
            QueuePollInterval = QueuePollInterval,

            // The storage never extends a running job's invisibility; a run holds its job for up to its
            // deadline plus teardown, so keep the job invisible far longer than that.
            InvisibilityTimeout = invisibility,
        });
    }
}
