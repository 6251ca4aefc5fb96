using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;

namespace VPNLens.Web.Persistence.Postgres;

/// <summary>
/// The app's model on PostgreSQL. A type of its own so that its migrations (Persistence/Postgres/Migrations) are
/// found apart from SQLite's; it also keeps the Data Protection keys that every instance must share.
/// </summary>
public sealed class PostgresAppDbContext(DbContextOptions<PostgresAppDbContext> options) : AppDbContext(options), IDataProtectionKeyContext
{
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();
}
