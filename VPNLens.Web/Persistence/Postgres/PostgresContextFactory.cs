using Microsoft.EntityFrameworkCore;

namespace VPNLens.Web.Persistence.Postgres;

/// <summary>Hands out PostgreSQL contexts wherever the app asks for an <see cref="AppDbContext"/>.</summary>
internal sealed class PostgresContextFactory(IDbContextFactory<PostgresAppDbContext> inner) : IDbContextFactory<AppDbContext>
{
    public AppDbContext CreateDbContext() => inner.CreateDbContext();

    public async Task<AppDbContext> CreateDbContextAsync(CancellationToken cancellationToken = default) =>
        await inner.CreateDbContextAsync(cancellationToken);
}
