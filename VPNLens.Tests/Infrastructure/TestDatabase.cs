using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using VPNLens.Web.Persistence;

namespace VPNLens.Tests.Infrastructure;

/// <summary>
/// The app's schema on a real SQLite file in a fresh temporary folder, or a fresh database of the test PostgreSQL
/// when the suite runs on it (<see cref="TestPostgres"/>), for tests that do not host the whole app.
/// </summary>
public sealed class TestDatabase : IAsyncDisposable
{
    private readonly ServiceProvider provider;
    private readonly string directory;
    private readonly string? postgresDatabase;

    private TestDatabase(ServiceProvider provider, string directory, string? postgresDatabase)
    {
        this.provider = provider;
        this.directory = directory;
        this.postgresDatabase = postgresDatabase;
        Factory = provider.GetRequiredService<IDbContextFactory<AppDbContext>>();
    }

    public IDbContextFactory<AppDbContext> Factory { get; }

    /// <summary>Text found in this database's connection string and no other test's (its folder or its PostgreSQL database).</summary>
    public string Marker => postgresDatabase ?? directory;

    public static async Task<TestDatabase> CreateAsync()
    {
        var directory = Directory.CreateTempSubdirectory("vpnlens-db-").FullName;
        var settings = new Dictionary<string, string?> { ["ConnectionStrings:App"] = $"Data Source={Path.Combine(directory, "vpnlens.db")}" };
        string? postgresDatabase = null;
        if (TestPostgres.SuiteProvider == DatabaseProvider.Postgres)
        {
            postgresDatabase = TestPostgres.DatabaseNameFor(null);
            settings["Database:Provider"] = "Postgres";
            settings["ConnectionStrings:App"] = TestPostgres.CreateDatabase(postgresDatabase);
        }

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddDataProtection().UseEphemeralDataProtectionProvider();
        services.AddPersistence(configuration);
        var provider = services.BuildServiceProvider();
        await provider.MigrateDatabaseAsync();
        return new TestDatabase(provider, directory, postgresDatabase);
    }

    public async Task<T> WithDbAsync<T>(Func<AppDbContext, Task<T>> action)
    {
        ArgumentNullException.ThrowIfNull(action);
        await using var db = await Factory.CreateDbContextAsync();
        return await action(db);
    }

    public Task WithDbAsync(Func<AppDbContext, Task> action) => WithDbAsync(async db =>
    {
        await action(db);
        return 0;
    });

    /// <summary>Adds rows and saves them in one short-lived context.</summary>
    public Task AddAsync(params object[] rows) => WithDbAsync(async db =>
    {
        db.AddRange(rows);
        await db.SaveChangesAsync();
    });

    public async ValueTask DisposeAsync()
    {
        await provider.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (postgresDatabase is not null)
        {
            TestPostgres.DropDatabase(postgresDatabase);
        }

        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
            // The OS cleans its temporary folder.
        }
    }
}
