namespace VPNLens.Web.History;

/// <summary>
/// Checks every series against its stored days (<see cref="IDailyRollupReconcile"/>) once the app serves, in the
/// background: a year of a few nodes takes tens of seconds, and no answer waits for it (a day whose stored run count is
/// not the runs' is read from them). <see cref="DailyRollupReadiness"/> says when it has ended. Stopping the app cancels it.
/// </summary>
/// <remarks>
/// A failure is logged and not tried again before the next start: the answers stay right without it, the days of runs
/// that end from now on are stored as they end (<see cref="DailyRollupWatcher"/>), and each attempt reads every series again.
/// </remarks>
public sealed class DailyRollupStartup(
    IHostApplicationLifetime lifetime, IDailyRollupReconcile reconcile, DailyRollupReadiness readiness, TimeProvider time, ILogger<DailyRollupStartup> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var began = 0L;
        try
        {
            await ServingAsync(stoppingToken);
            logger.LogInformation("Checking the stored days of history against the runs, in the background");
            began = time.GetTimestamp();
            var days = await reconcile.ReconcileAsync(stoppingToken);
            var took = time.GetElapsedTime(began);
            logger.LogInformation("Checked the stored days of history: {Days} day(s) written in {Seconds:0.0} s", days, took.TotalSeconds);
            readiness.Reconciled(days, took);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // the app is stopping; the next start checks the days again
        }
        catch (Exception e)
        {
            logger.LogWarning(
                e,
                "Checking the stored days of history failed after {Seconds:0.0} s; a day whose stored count differs is read from the runs until the next start checks again",
                time.GetElapsedTime(began).TotalSeconds);
            readiness.Failed(e);
        }
    }

    /// <summary>Returns once the app has started serving.</summary>
    private async Task ServingAsync(CancellationToken stoppingToken)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using (lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
        {
            await started.Task.WaitAsync(stoppingToken);
        }
    }
}
