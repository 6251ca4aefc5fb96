using System.Security.Cryptography;
using System.Text;
using Npgsql;
using VPNLens.Web.Persistence;

namespace VPNLens.Tests.Infrastructure;

/// <summary>
/// The real PostgreSQL that scripts/test/postgres.sh starts; ./vpnlens test passes its connection string in
/// VPNLENS_TEST_POSTGRES and runs the integration tests a second time with VPNLENS_TEST_DATABASE=Postgres.
/// Without the server, tests that need it fail in CI (CI=true) or on the PostgreSQL pass, and are skipped on a
/// developer's machine with a message that says how to start it.
/// </summary>
public static class TestPostgres
{
    public const string ServerVariable = "VPNLENS_TEST_POSTGRES";
    public const string ProviderVariable = "VPNLENS_TEST_DATABASE";

    /// <summary>The provider the app hosts of the suite run on (SQLite unless VPNLENS_TEST_DATABASE says Postgres).</summary>
    public static DatabaseProvider SuiteProvider
    {
        get
        {
            var name = Environment.GetEnvironmentVariable(ProviderVariable);
            if (string.IsNullOrWhiteSpace(name))
            {
                return DatabaseProvider.Sqlite;
            }

            return Enum.TryParse<DatabaseProvider>(name, ignoreCase: true, out var provider) && Enum.IsDefined(provider)
                ? provider
                : throw new InvalidOperationException($"{ProviderVariable} is '{name}'; use Sqlite or Postgres.");
        }
    }

    private static bool IsCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>The server's connection string (superuser, database postgres), or a skip or failure as the class summary says.</summary>
    public static string RequireServer()
    {
        var value = Environment.GetEnvironmentVariable(ServerVariable);
        if (!string.IsNullOrWhiteSpace(value))
        {
            return value;
        }

        var message = $"{ServerVariable} is not set. Start a test PostgreSQL with `scripts/test/postgres.sh start` and "
            + $"export {ServerVariable}=\"$(scripts/test/postgres.sh connection-string)\" (./vpnlens test does both).";
        if (IsCi || SuiteProvider == DatabaseProvider.Postgres)
        {
            throw new InvalidOperationException(message);
        }

        Assert.Skip(message);
        return string.Empty;
    }

    /// <summary>A fresh database's name, or the same name for the same data folder (an app restarted on its data).</summary>
    public static string DatabaseNameFor(string? dataDirectory) => dataDirectory is null
        ? $"vpnlens_test_{Guid.NewGuid():N}"
        : $"vpnlens_test_{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Path.GetFullPath(dataDirectory))))[..24]}";

    /// <summary>Creates the database unless it exists and returns its connection string.</summary>
    public static string CreateDatabase(string name)
    {
        var server = RequireServer();
        using var connection = new NpgsqlConnection(server);
        connection.Open();
        using var exists = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = @name", connection);
        exists.Parameters.AddWithValue("name", name);
        if (exists.ExecuteScalar() is null)
        {
            using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
            create.ExecuteNonQuery();
        }

        return new NpgsqlConnectionStringBuilder(server) { Database = name }.ConnectionString;
    }

    /// <summary>Drops the database, closing whatever connections are still open on it.</summary>
    public static void DropDatabase(string name)
    {
        NpgsqlConnection.ClearAllPools();
        using var connection = new NpgsqlConnection(RequireServer());
        connection.Open();
        using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", connection);
        drop.ExecuteNonQuery();
    }
}
