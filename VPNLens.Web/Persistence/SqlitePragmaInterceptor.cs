using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace VPNLens.Web.Persistence;

/// <summary>
/// Every connection waits for a busy database instead of failing with "database is locked",
/// and commits without an fsync per transaction (WAL keeps that safe). SQLite's memory, all
/// connections together, is held near 8 MB: each pooled connection would otherwise keep its own
/// 2 MB page cache after a burst of callbacks (the OS's file cache still holds the pages).
/// </summary>
internal sealed class SqlitePragmaInterceptor : DbConnectionInterceptor
{
    private const string Pragmas = "PRAGMA busy_timeout = 10000; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; PRAGMA soft_heap_limit = 8388608;";

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData)
    {
        using var command = connection.CreateCommand();
        command.CommandText = Pragmas;
        command.ExecuteNonQuery();
    }

    public override async Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = Pragmas;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
