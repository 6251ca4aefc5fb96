using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using VPNLens.Core.Runs;

namespace VPNLens.Tests.Infrastructure;

/// <summary>Polls the app's database for a run's condition, with a deadline: background work (Hangfire, email) is awaited, never slept on.</summary>
public static class RunWaits
{
    /// <summary>Polls any condition with a deadline.</summary>
    public static async Task UntilAsync(Func<bool> condition, TimeSpan limit, string what)
    {
        ArgumentNullException.ThrowIfNull(condition);
        var deadline = DateTime.UtcNow + limit;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"Never got to {what} within {limit.TotalSeconds} s.");
            }

            await Task.Delay(100, TestContext.Current.CancellationToken);
        }
    }

    /// <summary>
    /// Waits until every dispatch round asked for so far has run, in process or as a Hangfire job, and the starts they
    /// handed over have run (none in process, nothing enqueued or processing on the benchmark queue).
    /// </summary>
    public static Task DrainDispatchAsync(this VpnLensApp app, TimeSpan limit)
    {
        ArgumentNullException.ThrowIfNull(app);
        var dispatch = app.Services.GetRequiredService<VPNLens.Web.Runs.InProcessRunDispatch>();
        var starts = app.Services.GetRequiredService<VPNLens.Web.Runs.InProcessRunStarts>();
        var monitoring = app.Services.GetRequiredService<Hangfire.JobStorage>().GetMonitoringApi();
        return UntilAsync(
            () => dispatch.IsIdle && starts.IsIdle && monitoring.EnqueuedCount(VPNLens.Web.Runs.RunQueue.QueueName) == 0 && monitoring.ProcessingCount() == 0 && dispatch.IsIdle,
            limit,
            "the dispatch rounds ran");
    }

    public static async Task<Run> WaitForRunAsync(this VpnLensApp app, Guid id, Func<Run, bool> condition, TimeSpan limit, string what)
    {
        ArgumentNullException.ThrowIfNull(app);
        ArgumentNullException.ThrowIfNull(condition);
        var deadline = DateTime.UtcNow + limit;
        while (true)
        {
            var run = await app.WithDbAsync(db => db.Runs.AsNoTracking().SingleAsync(r => r.Id == id));
            if (condition(run))
            {
                return run;
            }

            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"Run {id} never got to {what} within {limit.TotalSeconds} s: it is {run.State}, email {run.EmailStatus} ({run.EmailError}).");
            }

            await Task.Delay(100, TestContext.Current.CancellationToken);
        }
    }
}
