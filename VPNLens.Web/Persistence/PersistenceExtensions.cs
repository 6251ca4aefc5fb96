using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;

namespace VPNLens.Web.Persistence;

public static class PersistenceExtensions
{
    public static IServiceCollection AddPersistence(this IServiceCollection services, IConfiguration configuration)
    {
        var connectionString = configuration.GetConnectionString("App") ?? "Data Source=vpnlens.db";
        services.AddSingleton<SecretsAtRest>();
        services.AddDbContextFactory<AppDbContext>(options => options
            .UseSqlite(connectionString)
            .AddInterceptors(new SqlitePragmaInterceptor())
            .ReplaceService<IModelCacheKeyFactory, SecretsModelCacheKeyFactory>());
        return services;
    }

    /// <summary>
    /// Creates the database directory, applies migrations, switches the file to WAL and holds SQLite's memory, all
    /// connections of the process together (Hangfire's too), near 8 MB: each pooled connection would otherwise keep
    /// its own 2 MB page cache after a burst of callbacks (the OS's file cache still holds the pages).
    /// </summary>
    public static async Task MigrateDatabaseAsync(this IServiceProvider services)
    {
        var factory = services.GetRequiredService<IDbContextFactory<AppDbContext>>();
        await using var db = await factory.CreateDbContextAsync();
        var dataSource = new SqliteConnectionStringBuilder(db.Database.GetConnectionString()).DataSource;
        var directory = Path.GetDirectoryName(Path.GetFullPath(dataSource));
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        await db.Database.MigrateAsync();
        await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode = WAL;");
        await db.Database.ExecuteSqlRawAsync("PRAGMA soft_heap_limit = 8388608;");
    }
}
