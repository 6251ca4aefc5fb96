using Microsoft.EntityFrameworkCore;
using VPNLens.Core.Runs;
using VPNLens.Web.Hosting;
using VPNLens.Web.Persistence;

namespace VPNLens.Web.Runs;

/// <summary>
/// Erases the callback secret of every run that ended more than <see cref="Grace"/> ago. An ended run applies no
/// callback, but for a while a node may still redeliver its last one and should get the usual answer (200 duplicate,
/// 409 ended) rather than a signature failure; after that the secret has no use left and is not kept.
/// </summary>
public sealed class SpentSecretEraser(IDbContextFactory<AppDbContext> dbFactory, TimeProvider time)
{
    public static readonly TimeSpan Grace = TimeSpan.FromMinutes(10);

    private static readonly RunState[] Ended = [.. Enum.GetValues<RunState>().Where(s => s.IsTerminal())];

    /// <returns>How many secrets were erased.</returns>
    public async Task<int> EraseAsync(CancellationToken cancellationToken)
    {
        var endedBefore = time.GetUtcNow() - Grace;
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.Runs
            .Where(r => Ended.Contains(r.State) && r.FinishedAt < endedBefore && r.CallbackSecret != string.Empty)
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.CallbackSecret, string.Empty), cancellationToken);
    }
}

/// <summary>Runs <see cref="SpentSecretEraser"/> at start (runs that ended while the app was down) and every minute.</summary>
public sealed class SpentSecretSweeper(SpentSecretEraser eraser, TimeProvider time, ILogger<SpentSecretSweeper> logger) : PeriodicSweeper(time, logger)
{
    internal static readonly TimeSpan Every = TimeSpan.FromMinutes(1);

    protected override TimeSpan Interval => Every;

    protected override string Work => "Erasing spent callback secrets";

    protected override async Task RoundAsync(CancellationToken cancellationToken)
    {
        var erased = await eraser.EraseAsync(cancellationToken);
        if (erased > 0)
        {
            logger.LogInformation("Erased the callback secrets of {Count} ended runs", erased);
        }
    }
}
