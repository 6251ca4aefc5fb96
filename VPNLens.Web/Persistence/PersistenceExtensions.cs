using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using VPNLens.Web.Persistence.Postgres;

namespace VPNLens.Web.Persistence;

public static class PersistenceExtensions
{
    /// <summary>
    /// The app's database on the provider named by Database:Provider (SQLite unless told otherwise). Contexts are
    /// pooled (a disposed one is reset and handed out again), and a scope's context (Identity, Data Protection's
    /// key ring, the health check) is a pooled one returned when the scope ends.
    /// </summary>
    public static IServiceCollection AddPersistence(this IServiceCollection services, IConfiguration configuration)
    {
        var database = DatabaseOptions.From(configuration);
        services.AddSingleton(database);
        services.AddSingleton<SecretsAtRest>();
        switch (database.Provider)
        {
            case DatabaseProvider.Postgres:
                services.AddPooledDbContextFactory<PostgresAppDbContext>((sp, options) => options
                    .UseNpgsql(database.ConnectionString)
                    .UseSecretsAtRest(sp.GetRequiredService<SecretsAtRest>())
                    .ReplaceService<IModelCacheKeyFactory, SecretsModelCacheKeyFactory>());
                services.AddScoped(sp => sp.GetRequiredService<IDbContextFactory<PostgresAppDbContext>>().CreateDbContext());
                services.AddSingleton<IDbContextFactory<AppDbContext>, PostgresContextFactory>();
                break;
            default:
                services.AddPooledDbContextFactory<AppDbContext>((sp, options) => options
                    .UseSqlite(database.ConnectionString)
                    .AddInterceptors(new SqlitePragmaInterceptor())
                    .UseSecretsAtRest(sp.GetRequiredService<SecretsAtRest>())
                    .ReplaceService<IModelCacheKeyFactory, SecretsModelCacheKeyFactory>());
                services.AddSingleton<SqliteStatisticsSweeper>();
                services.AddHostedService(sp => sp.GetRequiredService<SqliteStatisticsSweeper>());
                break;
        }

        // Its own lease (on PostgreSQL not the scope's PostgresAppDbContext): the scope disposes each context once,
        // and a pooled context disposed twice would go back to the pool while its next holder uses it.
        services.AddScoped(sp => sp.GetRequiredService<IDbContextFactory<AppDbContext>>().CreateDbContext());
        return services;
    }

    /// <summary>
    /// Applies migrations (EF Core takes a lock, so instances starting together on PostgreSQL apply them once).
    /// On SQLite it first creates the database directory and makes a new database incrementally vacuumed (so the
    /// space retention frees shrinks the file), and afterwards switches the file to WAL and holds SQLite's
    /// memory, all connections of the process together (Hangfire's too), near 8 MB: each pooled connection would
    /// otherwise keep its own 2 MB page cache after a burst of callbacks (the OS's file cache still holds the pages).
    /// </summary>
    public static async Task MigrateDatabaseAsync(this IServiceProvider services)
    {
        var factory = services.GetRequiredService<IDbContextFactory<AppDbContext>>();
        await using var db = await factory.CreateDbContextAsync();
        if (!db.Database.IsSqlite())
        {
            await db.Database.MigrateAsync();
            return;
        }

        var dataSource = new SqliteConnectionStringBuilder(db.Database.GetConnectionString()).DataSource;
        var directory = Path.GetDirectoryName(Path.GetFullPath(dataSource));
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        if (!File.Exists(dataSource) || new FileInfo(dataSource).Length == 0)
        {
            // Only an empty database can take it; retention then hands the pages it frees back to the file system.
            await db.Database.OpenConnectionAsync();
            await db.Database.ExecuteSqlRawAsync("PRAGMA auto_vacuum = INCREMENTAL;");
        }

        await db.Database.MigrateAsync();
        await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode = WAL;");
        await db.Database.ExecuteSqlRawAsync("PRAGMA soft_heap_limit = 8388608;");
    }
}
