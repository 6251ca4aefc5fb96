using System.Text.Json;
using VPNLens.Core.Results;

namespace VPNLens.Core.Phases;

/// <summary>A phase event body as the node posts it.</summary>
public sealed record PhaseReport(string Protocol, string Phase, string Status, DateTimeOffset StartedAt, DateTimeOffset EndedAt, string? Detail)
{
    private const int MaxDetailLength = 4000;

    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web) { MaxDepth = 8 };

    public PhaseStatus ParsedStatus => Status switch
    {
        "succeeded" => PhaseStatus.Succeeded,
        "failed" => PhaseStatus.Failed,
        _ => PhaseStatus.Skipped,
    };

    public static ParseOutcome<PhaseReport> Parse(ReadOnlySpan<byte> body, IReadOnlyCollection<string> runProtocols)
    {
        ArgumentNullException.ThrowIfNull(runProtocols);
        PhaseReport? report;
        try
        {
            report = JsonSerializer.Deserialize<PhaseReport>(body, Options);
        }
        catch (JsonException ex)
        {
            return ParseOutcome.Invalid<PhaseReport>($"The phase event is not valid JSON: {ex.Message}");
        }

        if (report is null)
        {
            return ParseOutcome.Invalid<PhaseReport>("The phase event is empty.");
        }

        if (report.Protocol is null || !runProtocols.Contains(report.Protocol))
        {
            return ParseOutcome.Invalid<PhaseReport>($"protocol \"{report.Protocol}\" is not one this run measures.");
        }

        if (report.Phase is null || !Phases.Phase.IsKnown(report.Phase))
        {
            return ParseOutcome.Invalid<PhaseReport>($"phase \"{report.Phase}\" is not a known phase.");
        }

        if (report.Status is not ("succeeded" or "failed" or "skipped"))
        {
            return ParseOutcome.Invalid<PhaseReport>("status must be succeeded, failed or skipped.");
        }

        if (report.EndedAt < report.StartedAt)
        {
            return ParseOutcome.Invalid<PhaseReport>("endedAt is before startedAt.");
        }

        if (report.Detail is { Length: > MaxDetailLength })
        {
            report = report with { Detail = report.Detail[..MaxDetailLength] };
        }

        return ParseOutcome.Valid(report);
    }
}
