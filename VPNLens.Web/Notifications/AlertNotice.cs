using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using VPNLens.Core.Regressions;
using VPNLens.Core.Runs;
using VPNLens.Web.Figures;

namespace VPNLens.Web.Notifications;

/// <summary>What is known about an alert when it is announced: where it happened and where to read more.</summary>
public sealed record AlertFacts(Alert Alert, string NodeName, string? RunLink, string? HistoryLink);

/// <summary>One announcement, as a webhook (type and JSON body) and as a short plain email.</summary>
public sealed record AlertNotice(string Type, string Payload, string Subject, string Text)
{
    public const string Opened = "alert.opened";
    public const string Recovered = "alert.recovered";
    public const string RunFailed = "run.failed";
    public const string Test = "test";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { DefaultIgnoreCondition = JsonIgnoreCondition.Never };

    public static AlertNotice Compose(AlertFacts facts, AlertNotificationKind kind, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(facts);
        var alert = facts.Alert;
        var type = kind == AlertNotificationKind.Recovered ? Recovered : alert.Kind == AlertKind.RunFailed ? RunFailed : Opened;
        var (subject, lines) = alert.Kind == AlertKind.RunFailed ? FailureText(facts, kind) : RegressionText(facts, kind);
        if (facts.RunLink is not null)
        {
            lines.Add($"{(kind == AlertNotificationKind.Recovered ? "Run that cleared it" : "Run that opened it")}: {facts.RunLink}");
        }

        if (facts.HistoryLink is not null)
        {
            lines.Add($"History: {facts.HistoryLink}");
        }

        return new AlertNotice(type, Envelope(type, now, Data(facts)), "VPNLens: " + subject, string.Join('\n', lines) + "\n");
    }

    public static string TestPayload(string endpointName, DateTimeOffset now) =>
        Envelope(Test, now, new { message = $"A test message from VPNLens to the webhook endpoint {endpointName}." });

    private static string Envelope(string type, DateTimeOffset now, object data) =>
        JsonSerializer.Serialize(new { type, timestamp = now, data }, Json);

    private static object Data(AlertFacts facts)
    {
        var alert = facts.Alert;
        var metric = TrackedMetric.Find(alert.Metric);
        return new
        {
            alertId = alert.Id,
            kind = alert.Kind == AlertKind.RunFailed ? "run_failed" : "regression",
            node = new { id = alert.NodeId, name = facts.NodeName },
            protocol = alert.Protocol,
            metric = metric is null ? null : new { key = metric.Key, label = metric.Label, unit = metric.Unit, higherIsBetter = metric.HigherIsBetter },
            change = alert.Kind == AlertKind.RunFailed ? null : new
            {
                before = alert.Before,
                after = alert.After,
                shift = alert.After - alert.Before,
                shiftLow = alert.ShiftLow,
                shiftHigh = alert.ShiftHigh,
                relative = alert.RelativeShift,
                relativeLow = Relative(alert, alert.ShiftLow),
                relativeHigh = Relative(alert, alert.ShiftHigh),
                confidence = 0.95,
                pValue = alert.PValue,
                since = alert.ChangeAt,
            },
            reason = alert.Reason,
            openedAt = alert.OpenedAt,
            recoveredAt = alert.RecoveredAt,
            links = new { run = facts.RunLink, history = facts.HistoryLink },
        };
    }

    private static (string Subject, List<string> Lines) RegressionText(AlertFacts facts, AlertNotificationKind kind)
    {
        var alert = facts.Alert;
        var metric = TrackedMetric.Find(alert.Metric);
        var what = $"{metric?.Label ?? alert.Metric} of {Protocols.DisplayName(alert.Protocol ?? "?")} on {facts.NodeName}";
        var change = $"{Percent(alert.RelativeShift)} (95 % interval {Percent(Relative(alert, alert.ShiftLow))} to {Percent(Relative(alert, alert.ShiftHigh))})";
        if (kind == AlertNotificationKind.Recovered)
        {
            return ($"{what} recovered", [
                $"{what} is back to its earlier level.",
                $"It had changed by {change}, from {Value(alert.Before, metric)} to {Value(alert.After, metric)}, since {FigureFormat.Time(alert.ChangeAt)}; the alert was open from {FigureFormat.Time(alert.OpenedAt)} to {FigureFormat.Time(alert.RecoveredAt)}.",
            ]);
        }

        return ($"{what} got worse by {Percent(alert.RelativeShift is { } r ? Math.Abs(r) : null).TrimStart('+')}", [
            $"{what} got worse: {Value(alert.After, metric)}, was {Value(alert.Before, metric)}: {change}.",
            $"The change began with the result of {FigureFormat.Time(alert.ChangeAt)}.",
        ]);
    }

    private static (string Subject, List<string> Lines) FailureText(AlertFacts facts, AlertNotificationKind kind) => kind == AlertNotificationKind.Recovered
        ? ($"scheduled runs on {facts.NodeName} succeed again", [$"Scheduled runs on {facts.NodeName} succeed again; they had been failing since {FigureFormat.Time(facts.Alert.OpenedAt)}."])
        : ($"scheduled runs on {facts.NodeName} are failing", [$"Scheduled runs on {facts.NodeName} failed or timed out: {facts.Alert.Reason ?? "no reason given"}."]);

    private static double? Relative(Alert alert, double? shift) =>
        shift is { } s && alert.Before is { } before && before != 0 ? s / Math.Abs(before) : null;

    private static string Percent(double? share) =>
        share is { } s ? (s * 100).ToString("+0.#;-0.#;0", CultureInfo.InvariantCulture) + " %" : "?";

    private static string Value(double? value, TrackedMetric? metric) => metric?.Unit switch
    {
        "bps" => FigureFormat.Rate(value),
        "ms" => FigureFormat.Milliseconds(value),
        "percent" => FigureFormat.Percent(value),
        _ => value?.ToString("G4", CultureInfo.InvariantCulture) ?? "?",
    };
}
