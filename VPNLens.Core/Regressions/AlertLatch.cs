namespace VPNLens.Core.Regressions;

public enum AlertTransition
{
    None,
    Opened,
    Recovered,
}

/// <summary>
/// Opens when M of the last N verdicts are bad and closes when M of the last N are good, so an alert is raised
/// once and its recovery once, however long either lasts.
/// </summary>
public static class AlertLatch
{
    public static AlertTransition Next(bool isOpen, IReadOnlyList<bool> badVerdicts, IReadOnlyList<bool> goodVerdicts, MOfN rule)
    {
        ArgumentNullException.ThrowIfNull(rule);
        if (!isOpen)
        {
            return rule.Agree(badVerdicts) ? AlertTransition.Opened : AlertTransition.None;
        }

        return rule.Agree(goodVerdicts) ? AlertTransition.Recovered : AlertTransition.None;
    }
}
