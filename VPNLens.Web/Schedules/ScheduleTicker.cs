using Microsoft.Extensions.Options;

namespace VPNLens.Web.Schedules;

/// <summary>Looks for due schedules every <see cref="ScheduleOptions.TickInterval"/>, on the injected clock.</summary>
public sealed class ScheduleTicker(ScheduleDispatcher dispatcher, IOptions<ScheduleOptions> options, TimeProvider time, ILogger<ScheduleTicker> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await dispatcher.DispatchDueAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // The next tick tries again; a database hiccup must not stop schedules for good.
                logger.LogError(ex, "Dispatching due schedules failed");
            }

            try
            {
                await Task.Delay(options.Value.TickInterval, time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
