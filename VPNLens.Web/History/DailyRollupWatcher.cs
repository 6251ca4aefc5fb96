using VPNLens.Core.Runs;
using VPNLens.Web.Runs;

namespace VPNLens.Web.History;

/// <summary>Computes again the stored day of every run that ends on this instance, once its state and results are stored.</summary>
public sealed class DailyRollupWatcher(RunEvents events, DailyRollup rollup, ILogger<DailyRollupWatcher> logger) : RunEventSubscriber(events)
{
    protected override async Task HandleAsync(RunEvent runEvent)
    {
        // the instance whose transition ended the run stores its day; a cancelled run has no place in a series
        if (runEvent is not RunStateChanged { State: var state, FromAnotherInstance: false } || !state.IsTerminal() || state == RunState.Cancelled)
        {
            return;
        }

        try
        {
            await rollup.RefreshRunAsync(runEvent.RunId, CancellationToken.None);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // the day is read from the runs until it is stored (DailySeries), and the next start stores it
            logger.LogWarning(e, "Could not store the day of run {RunId}", runEvent.RunId);
        }
    }
}
