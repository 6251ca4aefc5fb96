using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace VPNLens.Web.Persistence;

public static class DatabaseErrors
{
    /// <summary>True when a save failed because a unique key (or primary key) already holds the value, on either provider.</summary>
    public static bool IsUniqueViolation(DbUpdateException exception) => exception?.InnerException switch
    {
        SqliteException { SqliteErrorCode: 19 } => true,
        PostgresException { SqlState: PostgresErrorCodes.UniqueViolation } => true,
        _ => false,
    };
}
