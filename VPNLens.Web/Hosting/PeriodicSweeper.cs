using Microsoft.EntityFrameworkCore;

namespace VPNLens.Web.Hosting;

/// <summary>
/// A round of background work at start and then every <see cref="Interval"/>; a round the database fails is logged
/// and the next one tries again, so one bad moment never stops the sweeping.
/// </summary>
public abstract class PeriodicSweeper(TimeProvider time, ILogger logger) : BackgroundService
{
    protected abstract TimeSpan Interval { get; }

    /// <summary>What a round does, for the warning when one fails ("Erasing spent callback secrets").</summary>
    protected abstract string Work { get; }

    protected abstract Task RoundAsync(CancellationToken cancellationToken);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, time);
        do
        {
            try
            {
                await RoundAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is DbUpdateException or InvalidOperationException or System.Data.Common.DbException)
            {
                logger.LogWarning("{Work} failed this round; it tries again next round: {Reason}", Work, ex.Message);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
