using VPNLens.Core.Runs;

namespace VPNLens.Core.Phases;

/// <summary>Where one phase of one protocol stands, as far as the control plane knows.</summary>
public enum PhaseState
{
    /// <summary>Not reached yet.</summary>
    Pending,

    /// <summary>The phase after the last one reported, while the run is running.</summary>
    Running,
    Succeeded,
    Failed,
    Skipped,

    /// <summary>Passed over: an earlier phase of the protocol failed, or the run ended before it.</summary>
    NotRun,

    /// <summary>The phase that was running when the run timed out or was cancelled.</summary>
    Interrupted,
}

public sealed record PhaseStep(string Protocol, string Phase, PhaseState State, TimeSpan? Duration, string? Detail)
{
    public string DisplayName => Phases.Phase.DisplayName(Phase);

    public bool IsSettled => State is not (PhaseState.Pending or PhaseState.Running);
}

public sealed record ProtocolProgress(string Protocol, IReadOnlyList<PhaseStep> Steps)
{
    public PhaseStep? FailedStep => Steps.FirstOrDefault(s => s.State == PhaseState.Failed);

    public int Settled => Steps.Count(s => s.IsSettled);
}

/// <summary>How long a run has been going and about how much longer it needs (null once nothing is left to run).</summary>
public sealed record RunTimeEstimate(TimeSpan Elapsed, TimeSpan? Remaining);

/// <summary>
/// Every phase of every protocol of a run with its state, from the phase events stored so far.
/// The node runs protocols in order and phases in <see cref="Phase.InOrder"/>; a failed phase jumps to
/// teardown. So the phase running now is the one after the furthest reported, and nothing else is inferred.
/// </summary>
public sealed record RunProgress(IReadOnlyList<ProtocolProgress> Protocols)
{
    public int Total => Protocols.Sum(p => p.Steps.Count);

    public int Settled => Protocols.Sum(p => p.Settled);

    public double Fraction => Total == 0 ? 0 : (double)Settled / Total;

    /// <summary>The phase running now, or the one that was running when the run was stopped.</summary>
    public PhaseStep? Current => Protocols.SelectMany(p => p.Steps).FirstOrDefault(s => s.State is PhaseState.Running or PhaseState.Interrupted);

    public IEnumerable<PhaseStep> Failures => Protocols.Select(p => p.FailedStep).OfType<PhaseStep>();

    /// <summary>When the latest reported phase ended: the running phase started then.</summary>
    public DateTimeOffset? LastReportedAt { get; init; }

    /// <summary>
    /// Elapsed time since the run started, and an estimate of what is left: each phase still to run takes what it took in
    /// earlier runs on the node (<paramref name="typical"/>, by phase) or, without history, what the settings imply; the
    /// phases this run has finished scale that by how much faster or slower than expected it has been so far; the running
    /// phase counts only what it has not used yet. A queued run (no <paramref name="startedAt"/>) has the whole estimate left.
    /// </summary>
    public RunTimeEstimate EstimateTime(DateTimeOffset? startedAt, DateTimeOffset now, RunSettings settings, IReadOnlyDictionary<string, TimeSpan> typical)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(typical);
        var elapsed = startedAt is { } start && now > start ? now - start : TimeSpan.Zero;
        var steps = Protocols.SelectMany(p => p.Steps).ToList();
        if (!steps.Any(s => s.State is PhaseState.Pending or PhaseState.Running))
        {
            return new RunTimeEstimate(elapsed, null);
        }

        TimeSpan Expected(PhaseStep step) => typical.TryGetValue(step.Phase, out var usual) ? usual : FromSettings(step, settings);

        var finished = steps.Where(s => s.State == PhaseState.Succeeded && s.Duration is not null).ToList();
        var expectedSoFar = finished.Sum(s => Expected(s).TotalSeconds);
        var actualSoFar = finished.Sum(s => s.Duration!.Value.TotalSeconds);
        var pace = expectedSoFar >= 10 ? Math.Clamp(actualSoFar / expectedSoFar, 0.5, 3) : 1;

        var remaining = 0.0;
        foreach (var step in steps)
        {
            var seconds = Expected(step).TotalSeconds * pace;
            if (step.State == PhaseState.Running)
            {
                var since = LastReportedAt ?? startedAt ?? now;
                remaining += Math.Max(0, seconds - (now - since).TotalSeconds);
            }
            else if (step.State == PhaseState.Pending)
            {
                remaining += seconds;
            }
        }

        return new RunTimeEstimate(elapsed, TimeSpan.FromSeconds(Math.Round(remaining)));
    }

    /// <summary>What a phase should take by the run's settings alone: its measuring time plus a little for starting and stopping.</summary>
    public static TimeSpan FromSettings(PhaseStep step, RunSettings settings)
    {
        ArgumentNullException.ThrowIfNull(step);
        ArgumentNullException.ThrowIfNull(settings);
        var pings = settings.PingCount * settings.PingIntervalSeconds;
        var seconds = step.Phase switch
        {
            Phase.TcpUpload or Phase.TcpDownload => settings.Repeats * (settings.TcpSeconds + settings.OmitSeconds + 2.0),
            Phase.Udp => settings.Repeats * (settings.UdpSeconds + 2.0),
            Phase.LatencyIdle => pings + 1,
            Phase.LatencyLoaded => Math.Max(pings, settings.TcpSeconds) + 2,
            Phase.Cpu => settings.TcpSeconds + 2.0,
            Phase.Recovery => step.Protocol == Runs.Protocols.Direct ? 0 : 3,
            Phase.BringUp => 2,
            _ => 1,
        };
        return TimeSpan.FromSeconds(seconds);
    }

    public static RunProgress Of(IReadOnlyList<string> protocols, IEnumerable<PhaseEvent> events, RunState state, bool started)
    {
        ArgumentNullException.ThrowIfNull(protocols);
        ArgumentNullException.ThrowIfNull(events);

        // The latest report wins should a phase be reported twice.
        var reported = new Dictionary<(string Protocol, string Phase), PhaseEvent>();
        foreach (var e in events.OrderBy(e => e.Id))
        {
            reported[(e.Protocol, e.Phase)] = e;
        }

        var cursor = NextPhase(protocols, reported);
        var cursorState = state switch
        {
            RunState.Running => PhaseState.Running,
            RunState.TimedOut or RunState.Cancelled when started => PhaseState.Interrupted,
            RunState.Failed when reported.Count > 0 => PhaseState.Interrupted,
            _ => (PhaseState?)null,
        };

        var result = new List<ProtocolProgress>(protocols.Count);
        foreach (var protocol in protocols)
        {
            var failedAt = reported.Values
                .Where(e => e.Protocol == protocol && e.Status == PhaseStatus.Failed)
                .Select(e => Phase.OrderOf(e.Phase))
                .DefaultIfEmpty(int.MaxValue)
                .Min();
            var steps = new List<PhaseStep>(Phase.InOrder.Count);
            foreach (var phase in Phase.InOrder)
            {
                if (reported.TryGetValue((protocol, phase), out var e))
                {
                    steps.Add(new PhaseStep(protocol, phase, StateOf(e.Status), e.Duration, e.Detail));
                    continue;
                }

                var stepState = cursorState is { } current && cursor == (protocol, phase) ? current
                    : Phase.OrderOf(phase) > failedAt && phase != Phase.Teardown ? PhaseState.NotRun
                    : state.IsTerminal() ? PhaseState.NotRun
                    : PhaseState.Pending;
                steps.Add(new PhaseStep(protocol, phase, stepState, null, null));
            }

            result.Add(new ProtocolProgress(protocol, steps));
        }

        return new RunProgress(result) { LastReportedAt = reported.Count == 0 ? null : reported.Values.Max(e => e.EndedAt) };
    }

    private static PhaseState StateOf(PhaseStatus status) => status switch
    {
        PhaseStatus.Succeeded => PhaseState.Succeeded,
        PhaseStatus.Failed => PhaseState.Failed,
        _ => PhaseState.Skipped,
    };

    /// <summary>The phase the node works on after the furthest one reported, or null when all protocols are torn down.</summary>
    private static (string Protocol, string Phase)? NextPhase(IReadOnlyList<string> protocols, Dictionary<(string Protocol, string Phase), PhaseEvent> reported)
    {
        var furthest = reported.Keys
            .Select(k => (k.Protocol, k.Phase, ProtocolIndex: IndexOf(protocols, k.Protocol), PhaseIndex: Phase.OrderOf(k.Phase)))
            .Where(k => k.ProtocolIndex >= 0)
            .OrderBy(k => k.ProtocolIndex).ThenBy(k => k.PhaseIndex)
            .LastOrDefault();
        if (furthest.Protocol is null)
        {
            return protocols.Count == 0 ? null : (protocols[0], Phase.InOrder[0]);
        }

        if (furthest.Phase == Phase.Teardown)
        {
            var next = furthest.ProtocolIndex + 1;
            return next < protocols.Count ? (protocols[next], Phase.InOrder[0]) : null;
        }

        var failed = reported.Values.Any(e => e.Protocol == furthest.Protocol && e.Status == PhaseStatus.Failed);
        return failed || furthest.PhaseIndex + 1 >= Phase.InOrder.Count
            ? (furthest.Protocol, Phase.Teardown)
            : (furthest.Protocol, Phase.InOrder[furthest.PhaseIndex + 1]);
    }

    private static int IndexOf(IReadOnlyList<string> protocols, string protocol)
    {
        for (var i = 0; i < protocols.Count; i++)
        {
            if (protocols[i] == protocol)
            {
                return i;
            }
        }

        return -1;
    }
}
