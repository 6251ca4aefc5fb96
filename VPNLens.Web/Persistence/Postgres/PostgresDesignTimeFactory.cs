using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace VPNLens.Web.Persistence.Postgres;

/// <summary>Lets `dotnet ef migrations add --context PostgresAppDbContext` build the model without a server.</summary>
internal sealed class PostgresDesignTimeFactory : IDesignTimeDbContextFactory<PostgresAppDbContext>
{
    public PostgresAppDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<PostgresAppDbContext>().UseNpgsql("Host=localhost;Database=vpnlens_design")
            .UseSecretsAtRest(new SecretsAtRest(new EphemeralDataProtectionProvider())).Options);
}
