namespace VPNLens.Web.History;

/// <summary>How far back the history page looks: the last 7, 30 or 90 days, or everything.</summary>
public sealed record HistoryRange(string Key, string Label, int? Days)
{
    public static readonly HistoryRange Week = new("7", "7 days", 7);
    public static readonly HistoryRange Month = new("30", "30 days", 30);
    public static readonly HistoryRange Quarter = new("90", "90 days", 90);
    public static readonly HistoryRange Everything = new("all", "All", null);

    public static IReadOnlyList<HistoryRange> All { get; } = [Week, Month, Quarter, Everything];

    /// <summary>The range a query string names; 30 days when it names none or an unknown one.</summary>
    public static HistoryRange Parse(string? key) => All.FirstOrDefault(r => string.Equals(r.Key, key, StringComparison.OrdinalIgnoreCase)) ?? Month;

    /// <summary>The shortest range that still shows <paramref name="at"/>.</summary>
    public static HistoryRange Covering(DateTimeOffset at, DateTimeOffset now) =>
        All.First(r => r.Days is not { } days || at >= now.AddDays(-days));

    /// <summary>The history page's path that shows an alert: its node, the range covering its change, its protocol and metric.</summary>
    public static string PathFor(VPNLens.Core.Regressions.Alert alert, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(alert);
        var path = $"history/{alert.NodeId}?range={Covering(alert.ChangeAt ?? alert.OpenedAt, now).Key}";
        return alert.Protocol is null ? path : $"{path}&protocol={Uri.EscapeDataString(alert.Protocol)}#{alert.Metric}";
    }

    public DateTimeOffset? From(DateTimeOffset now) => Days is { } days ? now.AddDays(-days) : null;
}
