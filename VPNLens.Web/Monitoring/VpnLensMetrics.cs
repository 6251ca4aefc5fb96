using Prometheus;
using VPNLens.Core.Regressions;
using VPNLens.Core.Runs;

namespace VPNLens.Web.Monitoring;

/// <summary>
/// The app's own Prometheus registry. Every value is set from the database just before each scrape, so a restart
/// loses nothing and two instances behind one proxy report the same figures. Series of a node or protocol that no
/// longer has data are removed, not left at their last value.
/// </summary>
public sealed class VpnLensMetrics
{
    private static readonly RunState[] FinalStates = [.. Enum.GetValues<RunState>().Where(s => s.IsTerminal())];

    private readonly MetricsSnapshotReader reader;
    private readonly Lock updating = new();
    private readonly Dictionary<ExportedMetric, Gauge> latest;
    private readonly Gauge latestFinishedAt;
    private readonly Counter runsFinished;
    private readonly Gauge queueLength;
    private readonly Gauge runsRunning;
    private readonly Gauge openAlerts;

    public VpnLensMetrics(MetricsSnapshotReader reader)
    {
        this.reader = reader;
        Registry = Prometheus.Metrics.NewCustomRegistry();
        var factory = Prometheus.Metrics.WithCustomRegistry(Registry);
        latest = ExportedMetric.All.ToDictionary(m => m, m => factory.CreateGauge(m.Name, m.Help, "node", "protocol"));
        latestFinishedAt = factory.CreateGauge("vpnlens_latest_result_timestamp_seconds", "When the run of the latest successful result finished (Unix time).", "node", "protocol");
        runsFinished = factory.CreateCounter("vpnlens_runs_finished_total", "Runs that reached a final state, by that state, since the database was created.", "state");
        queueLength = factory.CreateGauge("vpnlens_queue_length", "Runs queued and not yet started.");
        runsRunning = factory.CreateGauge("vpnlens_runs_running", "Runs in progress on a node.");
        openAlerts = factory.CreateGauge("vpnlens_alerts_open", "Open alerts by node and kind (regression, run_failed).", "node", "kind");
        Registry.AddBeforeCollectCallback(UpdateAsync);
    }

    public CollectorRegistry Registry { get; }

    private async Task UpdateAsync(CancellationToken cancellationToken)
    {
        var snapshot = await reader.ReadAsync(cancellationToken);
        lock (updating)
        {
            Apply(snapshot);
        }
    }

    private void Apply(MetricsSnapshot snapshot)
    {
        foreach (var (metric, gauge) in latest)
        {
            var values = snapshot.Latest
                .Select(r => (Labels: new[] { r.Node, r.Protocol }, Value: metric.Tracked.Value(r.Result) * metric.Factor))
                .Where(r => r.Value is not null)
                .ToList();
            Replace(gauge, values.Select(v => (v.Labels, v.Value!.Value)));
        }

        Replace(latestFinishedAt, snapshot.Latest.Select(r => (new[] { r.Node, r.Protocol }, r.FinishedAt.ToUnixTimeMilliseconds() / 1000.0)));

        foreach (var state in FinalStates)
        {
            runsFinished.WithLabels(LabelOf(state)).IncTo(snapshot.RunsByState.GetValueOrDefault(state));
        }

        queueLength.Set(snapshot.RunsByState.GetValueOrDefault(RunState.Queued));
        runsRunning.Set(snapshot.RunsByState.GetValueOrDefault(RunState.Running));
        Replace(openAlerts, snapshot.Nodes.SelectMany(node => Enum.GetValues<AlertKind>()
            .Select(kind => (new[] { node, LabelOf(kind) }, (double)snapshot.OpenAlerts.GetValueOrDefault((node, kind))))));
    }

    /// <summary>Sets these series and removes the gauge's others.</summary>
    private static void Replace(Gauge gauge, IEnumerable<(string[] Labels, double Value)> values)
    {
        var kept = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (labels, value) in values)
        {
            gauge.WithLabels(labels).Set(value);
            kept.Add(string.Join('\0', labels));
        }

        foreach (var labels in gauge.GetAllLabelValues().ToList())
        {
            if (!kept.Contains(string.Join('\0', labels)))
            {
                gauge.RemoveLabelled(labels);
            }
        }
    }

    /// <summary>snake_case, as Prometheus label values usually are: TimedOut → timed_out.</summary>
    internal static string LabelOf<T>(T value)
        where T : struct, Enum =>
        string.Concat(value.ToString().Select((c, i) => char.IsUpper(c) && i > 0 ? "_" + char.ToLowerInvariant(c) : char.ToLowerInvariant(c).ToString()));
}
