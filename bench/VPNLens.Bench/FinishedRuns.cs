using System.Text;
using System.Text.Json;
using VPNLens.Core.Phases;
using VPNLens.Core.Results;
using VPNLens.Core.Runs;
using VPNLens.Core.Webhooks;
using VPNLens.Web.Callbacks;
using VPNLens.Web.Persistence;
using VPNLens.Web.Runs;

namespace VPNLens.Bench;

/// <summary>
/// Finished runs shaped like real ones, stored as the app stores a run whose node posted <c>body</c>: the state and
/// reason the app's lifecycle gives those results, a phase event per phase of the node contract and protocol, and
/// the per-protocol rows the app's callback intake makes from the body.
/// </summary>
internal sealed class FinishedRuns
{
    private const long PhaseGapMs = 20;

    private static readonly RunOptions Defaults = new();

    private readonly string body;
    private readonly RunSettings settings;
    private readonly List<string> protocols;
    private readonly List<ProtocolResult> rows;
    private readonly RunState state;
    private readonly string? reason;
    private readonly TimeSpan timeout;
    private long nextSequence;

    private FinishedRuns(string body, ResultsReport report, long lastSequence)
    {
        this.body = body;
        settings = report.Settings is null ? new RunSettings() : JsonSerializer.Deserialize<RunSettings>(JsonSerializer.Serialize(report.Settings), JsonSerializerOptions.Web)!;
        rows = [.. ResultsOutcome.Rows(Guid.Empty, report)];
        protocols = [.. rows.Select(r => r.Protocol)];
        (var trigger, reason) = ResultsOutcome.Of(report);
        state = RunLifecycle.Decide(RunState.Running, false, trigger).Move!.To;
        timeout = RunDeadline.For(Defaults.Deadline, Defaults.DeadlinePerExtraProtocol, settings, protocols.Count);
        nextSequence = lastSequence + 1;
    }

    /// <summary>How long a run takes from its start to its results.</summary>
    public TimeSpan Length => TimeSpan.FromMilliseconds(1_000 + (protocols.Count * Phase.InOrder.Sum(p => PhaseLengthMs(p) + PhaseGapMs)));

    public IReadOnlyList<string> Protocols => protocols;

    /// <summary>Runs of the results <paramref name="body"/>, queued after every run already in <paramref name="db"/>.</summary>
    public static FinishedRuns Of(string body, AppDbContext db)
    {
        var parsed = ResultsParser.Parse(Encoding.UTF8.GetBytes(body));
        if (!parsed.IsValid)
        {
            throw new BenchException($"the template is not a results body the app accepts: {parsed.Error}");
        }

        return new FinishedRuns(body, parsed.Value!, db.Runs.Max(r => r.QueueSequence) ?? 0);
    }

    /// <summary>
    /// Inserts one run with its phase events and protocol rows; returns its permalink token.
    /// With <paramref name="factor"/>, each protocol's headline figures are the body's scaled by one draw of it
    /// (throughput times it, times and latencies divided by it), so a series of runs varies like a real one.
    /// </summary>
    public string Add(ModelInserter store, Guid nodeId, DateTimeOffset queued, DateTimeOffset now, Func<double>? factor = null)
    {
        var started = queued.AddMilliseconds(1_500);
        var finished = started + Length;
        var run = new Run
        {
            PublicToken = PublicToken.Generate(),
            RequesterEmail = "bench@vpnlens.test",
            NodeId = nodeId,
            Protocols = [.. protocols],
            Settings = settings,
            State = state,
            QueuedAt = queued,
            QueueSequence = nextSequence++,
            StartedAt = started,
            FinishedAt = finished,
            Timeout = timeout,
            DeadlineAt = started + timeout,
            FailureReason = reason,
            // what the app keeps once SpentSecretEraser has been by: a secret only while a late callback may still come
            CallbackSecret = finished < now - SpentSecretEraser.Grace ? string.Empty : WebhookSecret.Generate(),
            RemotePid = 4242,
            ResultsJson = body,
            EmailStatus = EmailStatus.NotConfigured,
        };
        store.Add(run);

        var clock = started.AddMilliseconds(1_000);
        foreach (var row in rows)
        {
            foreach (var phase in Phase.InOrder)
            {
                var ended = clock.AddMilliseconds(PhaseLengthMs(phase));
                store.Add(new PhaseEvent
                {
                    RunId = run.Id,
                    Protocol = row.Protocol,
                    Phase = phase,
                    Status = row.Protocol == VPNLens.Core.Runs.Protocols.Direct && phase == Phase.Recovery ? PhaseStatus.Skipped : PhaseStatus.Succeeded,
                    StartedAt = clock,
                    EndedAt = ended,
                    Detail = $"{phase} done",
                    ReceivedAt = ended,
                });
                clock = ended.AddMilliseconds(PhaseGapMs);
            }

            var f = factor?.Invoke() ?? 1;
            store.Add(new ProtocolResult
            {
                RunId = run.Id,
                NodeId = nodeId,
                FinishedAt = finished,
                Protocol = row.Protocol,
                Succeeded = row.Succeeded,
                ErrorPhase = row.ErrorPhase,
                ErrorMessage = row.ErrorMessage,
                UploadMedianBitsPerSecond = row.UploadMedianBitsPerSecond * f,
                DownloadMedianBitsPerSecond = row.DownloadMedianBitsPerSecond * f,
                LatencyIdleP50Ms = row.LatencyIdleP50Ms / f,
                UdpJitterMs = row.UdpJitterMs / f,
                UdpLossPercent = row.UdpLossPercent,
                SetupMs = row.SetupMs / f,
                RecoveryMs = row.RecoveryMs / f,
            });
        }

        return run.PublicToken;
    }

    private static long PhaseLengthMs(string phase) => phase is Phase.TcpUpload or Phase.TcpDownload or Phase.Udp ? 11_000 : 300;
}
