using Microsoft.AspNetCore.DataProtection;
using VPNLens.Web.Persistence;
using VPNLens.Web.Persistence.Postgres;

namespace VPNLens.Web.Hosting;

public static class DataProtectionExtensions
{
    /// <summary>
    /// Keeps the keys that sign cookies where they survive a restart or a new container: on the data volume with SQLite,
    /// in the database with PostgreSQL, where every instance reads the same keys (a cookie from one instance opens the others).
    /// </summary>
    public static IServiceCollection AddPersistentDataProtection(this IServiceCollection services, IConfiguration configuration)
    {
        var builder = services.AddDataProtection().SetApplicationName("VPNLens");
        if (DatabaseOptions.From(configuration).Provider == DatabaseProvider.Postgres)
        {
            builder.PersistKeysToDbContext<PostgresAppDbContext>();
            return services;
        }

        var path = configuration["DataProtection:KeysPath"] ?? Path.Combine("data", "keys");
        builder.PersistKeysToFileSystem(Directory.CreateDirectory(path));
        return services;
    }
}
