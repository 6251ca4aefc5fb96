using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using VPNLens.Web.Persistence.Postgres;

namespace VPNLens.Web.Persistence;

public static class PersistenceExtensions
{
    /// <summary>The app's database on the provider named by Database:Provider (SQLite unless told otherwise).</summary>
    public static IServiceCollection AddPersistence(this IServiceCollection services, IConfiguration configuration)
    {
        var database = DatabaseOptions.From(configuration);
        services.AddSingleton(database);
        services.AddSingleton<SecretsAtRest>();
        switch (database.Provider)
        {
            case DatabaseProvider.Postgres:
                services.AddDbContextFactory<PostgresAppDbContext>(options => options
                    .UseNpgsql(database.ConnectionString)
                    .ReplaceService<IModelCacheKeyFactory, SecretsModelCacheKeyFactory>());
                services.AddSingleton<IDbContextFactory<AppDbContext>, PostgresContextFactory>();
                services.AddScoped<AppDbContext>(sp => sp.GetRequiredService<PostgresAppDbContext>());
                break;
            default:
                services.AddDbContextFactory<AppDbContext>(options => options
                    .UseSqlite(database.ConnectionString)
                    .AddInterceptors(new SqlitePragmaInterceptor())
                    .ReplaceService<IModelCacheKeyFactory, SecretsModelCacheKeyFactory>());
                services.AddSingleton<SqliteStatisticsSweeper>();
                services.AddHostedService(sp => sp.GetRequiredService<SqliteStatisticsSweeper>());
                break;
        }

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
