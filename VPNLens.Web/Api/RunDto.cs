using VPNLens.Core.Phases;
using VPNLens.Core.Runs;
using VPNLens.Web.Figures;

namespace VPNLens.Web.Api;

/// <summary>A run as the API shows it: never its callback secret.</summary>
public sealed record RunDto(
    Guid Id,
    string Status,
    Guid NodeId,
    IReadOnlyList<string> Protocols,
    string Permalink,
    DateTimeOffset QueuedAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset? FinishedAt,
    DateTimeOffset? DeadlineAt,
    string? FailureReason,
    int? QueuePosition,
    IReadOnlyList<PhaseDto>? Phases,
    object? Results,
    string EmailStatus,
    string? EmailError,
    VerdictDto? Verdict = null)
{
    public static RunDto From(Run run, string permalink, int? position, IReadOnlyList<PhaseEvent>? phases = null, object? results = null, VerdictDto? verdict = null)
    {
        ArgumentNullException.ThrowIfNull(run);
        return new RunDto(
            run.Id,
            run.State.ToString(),
            run.NodeId,
            run.Protocols,
            permalink,
            run.QueuedAt,
            run.StartedAt,
            run.FinishedAt,
            run.DeadlineAt,
            run.FailureReason,
            position,
            phases?.Select(PhaseDto.From).ToList(),
            results,
            run.EmailStatus.ToString(),
            run.EmailError);
    }
}

public sealed record PhaseDto(string Protocol, string Phase, string Status, DateTimeOffset StartedAt, DateTimeOffset EndedAt, double DurationMs, string? Detail)
{
    public static PhaseDto From(PhaseEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        return new PhaseDto(e.Protocol, e.Phase, e.Status.ToString().ToLowerInvariant(), e.StartedAt, e.EndedAt, e.Duration.TotalMilliseconds, e.Detail);
    }
}
