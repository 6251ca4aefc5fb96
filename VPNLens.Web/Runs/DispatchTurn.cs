using Microsoft.EntityFrameworkCore;
using VPNLens.Web.Persistence;

namespace VPNLens.Web.Runs;

/// <summary>
/// One dispatch round at a time across every instance sharing a PostgreSQL database, held by a session advisory
/// lock for the round. Two instances woken by the same run ends otherwise read the same startable runs and contend
/// for the same rows: one waits on the other's locks, then finds its runs taken and starts them one by one. Taking
/// turns, each round reads what the one before it left. The lock dies with its session, so a killed instance holds
/// nothing. SQLite has one instance, whose rounds already run one at a time: there the turn is free.
/// </summary>
internal sealed class DispatchTurn : IAsyncDisposable
{
    /// <summary>Any constant no other lock uses ("VPNLensD"; the queue's is "VPNLensQ").</summary>
    private const long LockKey = 0x56504E4C656E7344;

    private readonly AppDbContext? holder;

    private DispatchTurn(AppDbContext? holder) => this.holder = holder;

    /// <summary>Waits until no other round holds the turn, then holds it until disposed.</summary>
    public static async Task<DispatchTurn> TakeAsync(IDbContextFactory<AppDbContext> dbFactory, CancellationToken cancellationToken)
    {
        var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        if (!db.Database.IsNpgsql())
        {
            await db.DisposeAsync();
            return new DispatchTurn(null);
        }

        try
        {
            await db.Database.OpenConnectionAsync(cancellationToken);
            await db.Database.ExecuteSqlRawAsync($"SELECT pg_advisory_lock({LockKey})", cancellationToken);
            return new DispatchTurn(db);
        }
        catch
        {
            await db.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (holder is null)
        {
            return;
        }

        try
        {
            await holder.Database.ExecuteSqlRawAsync($"SELECT pg_advisory_unlock({LockKey})");
        }
        finally
        {
            // Should the unlock fail, the pool resets the connection (DISCARD ALL) before lending it again.
            await holder.Database.CloseConnectionAsync();
            await holder.DisposeAsync();
        }
    }
}
