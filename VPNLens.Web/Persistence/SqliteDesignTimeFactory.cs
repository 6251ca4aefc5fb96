using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace VPNLens.Web.Persistence;

/// <summary>
/// Lets `dotnet ef migrations add --context AppDbContext` build the SQLite model; without it the tools would take
/// the PostgreSQL subclass's factory for the base type as well.
/// </summary>
internal sealed class SqliteDesignTimeFactory : IDesignTimeDbContextFactory<AppDbContext>
{
    public AppDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<AppDbContext>().UseSqlite("Data Source=vpnlens-design.db")
            .UseSecretsAtRest(new SecretsAtRest(new EphemeralDataProtectionProvider())).Options);
}
