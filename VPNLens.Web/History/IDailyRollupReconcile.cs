namespace VPNLens.Web.History;

/// <summary>
/// Checks every series against its stored days and writes what differs (<see cref="DailyRollup.ReconcileAsync"/>), as
/// <see cref="DailyRollupStartup"/> asks after each start; the seam a test replaces to hold that check or make it fail.
/// </summary>
public interface IDailyRollupReconcile
{
    /// <returns>How many days were written.</returns>
    Task<int> ReconcileAsync(CancellationToken cancellationToken);
}
