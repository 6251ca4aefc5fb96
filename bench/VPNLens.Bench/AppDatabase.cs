using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using VPNLens.Web.Hosting;
using VPNLens.Web.Persistence;

namespace VPNLens.Bench;

/// <summary>
/// The database of one app instance, opened the way the app opens it: its <see cref="AppDbContext"/> on the
/// provider its configuration names and its Data Protection key ring, so a secret the bench stores is what the
/// app would store and the app reads it back.
/// </summary>
internal sealed class AppDatabase : IAsyncDisposable
{
    private readonly ServiceProvider services;

    private AppDatabase(ServiceProvider services, string path)
    {
        this.services = services;
        Path = path;
        Contexts = services.GetRequiredService<IDbContextFactory<AppDbContext>>();
    }

    /// <summary>The SQLite file.</summary>
    public string Path { get; }

    public IDbContextFactory<AppDbContext> Contexts { get; }

    /// <summary>--db FILE, the app's SQLite file; --keys DIR, its DataProtection:KeysPath (default: keys beside the file, as bench/lib/app.sh starts it).</summary>
    public static AppDatabase Open(Options options)
    {
        var path = System.IO.Path.GetFullPath(options.Required("db"));
        if (!File.Exists(path))
        {
            throw new BenchException($"no database at {path} (start the app once so it migrates)");
        }

        var keys = options.Text("keys", System.IO.Path.Combine(System.IO.Path.GetDirectoryName(path)!, "keys"));
        if (!Directory.Exists(keys) || !Directory.EnumerateFiles(keys, "key-*.xml").Any())
        {
            throw new BenchException($"no Data Protection key ring in {keys} (the app's DataProtection:KeysPath; pass --keys)");
        }

        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["ConnectionStrings:App"] = $"Data Source={path}",
                ["DataProtection:KeysPath"] = keys,
            })
            .Build();
        var services = new ServiceCollection()
            .AddLogging()
            .AddPersistence(configuration)
            .AddPersistentDataProtection(configuration)
            .BuildServiceProvider();
        return new AppDatabase(services, path);
    }

    /// <summary>
    /// Calls <paramref name="add"/> for 0 .. count - 1 and saves every <paramref name="batchSize"/> of them, each batch in
    /// a context of its own with change detection off: the entities are new, and a context tracking them all would slow
    /// every save.
    /// </summary>
    public async Task AddInBatchesAsync(int count, int batchSize, Action<AppDbContext, int> add, CancellationToken cancellationToken)
    {
        for (var first = 0; first < count; first += batchSize)
        {
            await using var db = await Contexts.CreateDbContextAsync(cancellationToken);
            db.ChangeTracker.AutoDetectChangesEnabled = false;
            for (var i = first; i < Math.Min(count, first + batchSize); i++)
            {
                add(db, i);
            }

            await db.SaveChangesAsync(cancellationToken);
        }
    }

    public ValueTask DisposeAsync() => services.DisposeAsync();
}
