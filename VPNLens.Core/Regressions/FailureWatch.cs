namespace VPNLens.Core.Regressions;

/// <summary>
/// Scheduled runs that fail or time out are their own alert: it opens when M of the last N scheduled runs
/// did not succeed and recovers when M of the last N did.
/// </summary>
public static class FailureWatch
{
    public static AlertTransition Next(bool isOpen, IReadOnlyList<bool> succeeded, MOfN rule)
    {
        ArgumentNullException.ThrowIfNull(succeeded);
        return AlertLatch.Next(isOpen, [.. succeeded.Select(s => !s)], succeeded, rule);
    }
}
