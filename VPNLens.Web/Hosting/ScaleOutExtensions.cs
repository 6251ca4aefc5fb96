using VPNLens.Web.Persistence;
using VPNLens.Web.Runs;

namespace VPNLens.Web.Hosting;

public static class ScaleOutExtensions
{
    /// <summary>
    /// On PostgreSQL, where several instances may share the database, run events reach every instance through
    /// <see cref="PostgresRunEventRelay"/>; on SQLite there is one instance and nothing to relay.
    /// </summary>
    public static IServiceCollection AddRunEventRelay(this IServiceCollection services, IConfiguration configuration)
    {
        if (DatabaseOptions.From(configuration).Provider != DatabaseProvider.Postgres)
        {
            return services;
        }

        services.AddSingleton<PostgresRunEventRelay>();
        services.AddHostedService(sp => sp.GetRequiredService<PostgresRunEventRelay>());
        return services;
    }
}
