using Microsoft.EntityFrameworkCore;
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
