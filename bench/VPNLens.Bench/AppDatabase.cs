using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
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

    /// <summary>The SQLite file, or what names the database.</summary>
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

        return Connect("Sqlite", $"Data Source={path}", keys, path);
    }

    /// <summary>An app database on either provider (Database:Provider, ConnectionStrings:App, DataProtection:KeysPath).</summary>
    public static AppDatabase Connect(string provider, string connectionString, string keys, string label)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Database:Provider"] = provider,
                ["ConnectionStrings:App"] = connectionString,
                ["DataProtection:KeysPath"] = keys,
            })
            .Build();
        var services = new ServiceCollection()
            .AddLogging()
            .AddPersistence(configuration)
            .AddPersistentDataProtection(configuration)
            .BuildServiceProvider();
        return new AppDatabase(services, label);
    }

    /// <summary>
    /// Calls <paramref name="add"/> for 0 .. count - 1 with the app's model's inserts, committing every
    /// <paramref name="batchSize"/> of them.
    /// </summary>
    public async Task InsertInBatchesAsync(int count, int batchSize, Action<ModelInserter, int> add, CancellationToken cancellationToken)
    {
        await using var db = await Contexts.CreateDbContextAsync(cancellationToken);
        await db.Database.OpenConnectionAsync(cancellationToken);
        for (var first = 0; first < count; first += batchSize)
        {
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            using (var rows = new ModelInserter(db, transaction.GetDbTransaction()))
            {
                for (var i = first; i < Math.Min(count, first + batchSize); i++)
                {
                    add(rows, i);
                }
            }

            await transaction.CommitAsync(cancellationToken);
        }
    }

    public ValueTask DisposeAsync() => services.DisposeAsync();
}
