using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using VPNLens.Web.Persistence;
using VPNLens.Web.Runs;

namespace VPNLens.Tests.Infrastructure;

/// <summary>
/// The real app (Program) on a real SQLite file and its own Hangfire file in a fresh temporary folder, or on a fresh
/// database of the test PostgreSQL (the provider argument, else VPNLENS_TEST_DATABASE; see <see cref="TestPostgres"/>).
/// Tests change settings, not code; the few seams they replace are named where they do it.
/// </summary>
public sealed class VpnLensApp : WebApplicationFactory<Program>
{
    public const string ApiToken = "test-api-token-0123456789";

    /// <summary>No dispatch rounds: queued runs a test seeds stay queued (the app's start-up recovery asks for one).</summary>
    public static readonly Action<IServiceCollection> WithoutDispatch =
        services => services.Replace(ServiceDescriptor.Singleton<IRunDispatchRequests>(new RecordingDispatchRequests()));

    private readonly Dictionary<string, string?> settings;
    private readonly Action<IServiceCollection>? configureServices;
    private readonly string? kestrelUrl;
    private readonly bool ownsData;
    private readonly string? postgresDatabase;

    public VpnLensApp(
        IDictionary<string, string?>? settings = null,
        Action<IServiceCollection>? configureServices = null,
        string? kestrelUrl = null,
        string? dataDirectory = null,
        DatabaseProvider? provider = null)
    {
        DataDirectory = dataDirectory ?? Directory.CreateTempSubdirectory("vpnlens-test-").FullName;
        ownsData = dataDirectory is null;
        this.settings = new Dictionary<string, string?>
        {
            ["ConnectionStrings:App"] = $"Data Source={Path.Combine(DataDirectory, "vpnlens.db")}",
            ["ConnectionStrings:Hangfire"] = Path.Combine(DataDirectory, "hangfire.db"),
            ["DataProtection:KeysPath"] = Path.Combine(DataDirectory, "keys"),
            ["Api:Token"] = ApiToken,
            ["Admin:Email"] = "admin@vpnlens.test",
            ["Admin:Password"] = "Admin-Password-1234",
            ["App:PublicUrl"] = "http://127.0.0.1:5080/",
            ["Runs:DeadlineCheckInterval"] = "00:00:00.200",
            ["Logging:LogLevel:Default"] = "Warning",
        };
        Provider = provider ?? TestPostgres.SuiteProvider;
        if (Provider == DatabaseProvider.Postgres)
        {
            // Apps started on the same data folder (a restart, a second instance) share one database.
            postgresDatabase = TestPostgres.DatabaseNameFor(dataDirectory);
            this.settings["Database:Provider"] = "Postgres";
            this.settings["ConnectionStrings:App"] = TestPostgres.CreateDatabase(postgresDatabase);
        }

        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            this.settings[key] = value;
        }

        this.configureServices = configureServices;
        this.kestrelUrl = kestrelUrl;
        if (kestrelUrl is not null)
        {
            UseKestrel(options => options.ListenAnyIP(new Uri(kestrelUrl).Port));
        }
    }

    public string DataDirectory { get; }

    public DatabaseProvider Provider { get; }

    /// <summary>What only this app's database connection strings contain (for <see cref="SqlCommandCounter"/>).</summary>
    public string DatabaseMarker => postgresDatabase ?? DataDirectory;

    /// <summary>Leave the databases behind on dispose, for a second app to start on them as after a restart.</summary>
    public bool KeepData { get; set; }

    public HttpClient CreateApiClient()
    {
        var client = kestrelUrl is null ? CreateClient() : new HttpClient { BaseAddress = new Uri(kestrelUrl) };
        client.DefaultRequestHeaders.Authorization = new("Bearer", ApiToken);
        return client;
    }

    public async Task<T> WithDbAsync<T>(Func<AppDbContext, Task<T>> action)
    {
        var factory = Services.GetRequiredService<IDbContextFactory<AppDbContext>>();
        await using var db = await factory.CreateDbContextAsync();
        return await action(db);
    }

    public Task WithDbAsync(Func<AppDbContext, Task> action) => WithDbAsync(async db =>
    {
        await action(db);
        return 0;
    });

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        foreach (var (key, value) in settings)
        {
            builder.UseSetting(key, value);
        }

        if (configureServices is not null)
        {
            builder.ConfigureTestServices(configureServices);
        }
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (!ownsData || KeepData)
        {
            return;
        }

        if (postgresDatabase is not null)
        {
            TestPostgres.DropDatabase(postgresDatabase);
        }

        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A file still held by a finishing background thread; the temp folder is cleaned by the OS.
        }
    }
}
