namespace VPNLens.Web.Persistence;

public enum DatabaseProvider
{
    /// <summary>One file beside the app: the embedded default for one instance.</summary>
    Sqlite,

    /// <summary>A PostgreSQL server: several app instances can share it.</summary>
    Postgres,
}

/// <summary>Where the app keeps its data (Database:Provider) and its connection string (ConnectionStrings:App).</summary>
public sealed class DatabaseOptions
{
    public const string Section = "Database";

    public DatabaseProvider Provider { get; init; } = DatabaseProvider.Sqlite;

    public string ConnectionString { get; init; } = DefaultSqliteConnectionString;

    public const string DefaultSqliteConnectionString = "Data Source=vpnlens.db";

    /// <summary>
    /// Reads and checks the settings while services are registered, since the provider decides what is registered;
    /// a wrong value stops the app at start with the setting's name.
    /// </summary>
    public static DatabaseOptions From(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var name = configuration[$"{Section}:Provider"];
        var provider = DatabaseProvider.Sqlite;
        if (!string.IsNullOrWhiteSpace(name) && !TryParseProvider(name, out provider))
        {
            throw new InvalidOperationException(
                $"{Section}:Provider is '{name}', which is not a known database provider; use one of: {string.Join(", ", Enum.GetNames<DatabaseProvider>())}.");
        }

        var connectionString = configuration.GetConnectionString("App");
        if (provider == DatabaseProvider.Postgres && string.IsNullOrWhiteSpace(connectionString))
        {
            throw new InvalidOperationException(
                $"ConnectionStrings:App must be set when {Section}:Provider is Postgres (e.g. Host=db;Database=vpnlens;Username=vpnlens;Password=...).");
        }

        return new DatabaseOptions { Provider = provider, ConnectionString = connectionString ?? DefaultSqliteConnectionString };
    }

    private static bool TryParseProvider(string name, out DatabaseProvider provider) =>
        Enum.TryParse(name.Trim(), ignoreCase: true, out provider) && Enum.IsDefined(provider) && !char.IsAsciiDigit(name.Trim()[0]);
}
