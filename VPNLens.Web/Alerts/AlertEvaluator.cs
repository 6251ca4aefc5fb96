using Microsoft.EntityFrameworkCore;
using VPNLens.Core.Regressions;
using VPNLens.Core.Runs;
using VPNLens.Core.Schedules;
using VPNLens.Web.History;
using VPNLens.Web.Persistence;

namespace VPNLens.Web.Alerts;

/// <summary>
/// After a run ends: updates the failed-run alert of its schedule and, for each protocol it measured, the
/// regression watch of each tracked metric over the results taken with the same settings.
/// </summary>
public sealed class AlertEvaluator(IDbContextFactory<AppDbContext> dbFactory, SeriesReader reader, TimeProvider time)
{
    /// <summary>How many of a series' latest results are read: the detector's window and an open regression's span.</summary>
    private const int SeriesDepth = 400;

    public async Task EvaluateAsync(Guid runId, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var run = await db.Runs.AsNoTracking().FirstOrDefaultAsync(r => r.Id == runId, cancellationToken);
        if (run is null || !run.State.IsTerminal() || run.State == RunState.Cancelled)
        {
            return;
        }

        var link = await db.ScheduledRuns.AsNoTracking().FirstOrDefaultAsync(s => s.RunId == runId, cancellationToken);
        var schedule = link is null ? null : await db.Schedules.AsNoTracking().FirstOrDefaultAsync(s => s.Id == link.ScheduleId, cancellationToken);
        if (schedule is not null)
        {
            await WatchFailuresAsync(db, schedule, run, cancellationToken);
        }

        var policy = schedule is null
            ? new RegressionPolicy()
            : new RegressionPolicy { Rule = new MOfN(schedule.AlertM, schedule.AlertN), FloorPercent = schedule.FloorPercent };
        foreach (var protocol in run.Protocols)
        {
            var entries = (await reader.ReadAsync(run.NodeId, protocol, null, run.FinishedAt, SeriesDepth, withSettings: true, cancellationToken))
                .Where(e => e.Settings == run.Settings).ToList();
            if (entries.Count == 0 || entries[^1].RunId != run.Id || !entries[^1].Succeeded)
            {
                continue;
            }

            foreach (var metric in TrackedMetric.All)
            {
                await WatchAsync(db, run, protocol, metric, SeriesReader.Points(entries, metric), policy, schedule?.Id, cancellationToken);
            }
        }
    }

    private async Task WatchAsync(
        AppDbContext db, Run run, string protocol, TrackedMetric metric, List<SeriesPoint> points, RegressionPolicy policy, Guid? scheduleId, CancellationToken cancellationToken)
    {
        if (points.Count == 0 || points[^1].At != run.FinishedAt)
        {
            return;
        }

        var settingsKey = RunSettingsFingerprint.Of(run.Settings);
        var watch = await db.SeriesWatches.FirstOrDefaultAsync(
            w => w.NodeId == run.NodeId && w.Protocol == protocol && w.Metric == metric.Key && w.SettingsKey == settingsKey, cancellationToken);
        if (watch is null)
        {
            watch = new SeriesWatch { NodeId = run.NodeId, Protocol = protocol, Metric = metric.Key, SettingsKey = settingsKey };
            db.SeriesWatches.Add(watch);
        }

        var step = new RegressionMonitor(metric, policy).Evaluate(watch.State, points);
        var openAlertId = watch.OpenAlertId;
        if (step.Transition == AlertTransition.Opened)
        {
            var alert = new Alert
            {
                Kind = AlertKind.Regression,
                NodeId = run.NodeId,
                ScheduleId = scheduleId,
                Protocol = protocol,
                Metric = metric.Key,
                OpenedAt = time.GetUtcNow(),
                OpenedByRunId = run.Id,
                ChangeAt = step.ChangeAt,
                Before = step.Evidence!.Before.Mean,
                After = step.Evidence.After.Mean,
                ShiftLow = step.Evidence.ShiftLow,
                ShiftHigh = step.Evidence.ShiftHigh,
                PValue = step.Evidence.PValue,
            };
            db.Alerts.Add(alert);
            await db.SaveChangesAsync(cancellationToken);
            openAlertId = alert.Id;
        }
        else if (step.Transition == AlertTransition.Recovered && openAlertId is { } id)
        {
            await CloseAsync(db, id, run.Id, cancellationToken);
        }

        watch.Store(step.State, openAlertId);
        await db.SaveChangesAsync(cancellationToken);
    }

    private async Task WatchFailuresAsync(AppDbContext db, Schedule schedule, Run run, CancellationToken cancellationToken)
    {
        var rule = new MOfN(schedule.AlertM, schedule.AlertN);
        var outcomes = await db.ScheduledRuns.AsNoTracking()
            .Where(s => s.ScheduleId == schedule.Id)
            .Join(db.Runs, s => s.RunId, r => r.Id, (s, r) => r)
            .Where(r => r.FinishedAt != null && r.FinishedAt <= run.FinishedAt && r.State != RunState.Cancelled)
            .OrderByDescending(r => r.FinishedAt)
            .Take(rule.N)
            .Select(r => r.State)
            .ToListAsync(cancellationToken);
        outcomes.Reverse();
        var open = await db.Alerts.FirstOrDefaultAsync(a => a.ScheduleId == schedule.Id && a.Kind == AlertKind.RunFailed && a.RecoveredAt == null, cancellationToken);
        var transition = FailureWatch.Next(open is not null, [.. outcomes.Select(s => s == RunState.Succeeded)], rule);
        if (transition == AlertTransition.Opened)
        {
            db.Alerts.Add(new Alert
            {
                Kind = AlertKind.RunFailed,
                NodeId = schedule.NodeId,
                ScheduleId = schedule.Id,
                OpenedAt = time.GetUtcNow(),
                OpenedByRunId = run.Id,
                Reason = run.FailureReason ?? run.State.ToString(),
            });
            await db.SaveChangesAsync(cancellationToken);
        }
        else if (transition == AlertTransition.Recovered)
        {
            await CloseAsync(db, open!.Id, run.Id, cancellationToken);
        }
    }

    private async Task CloseAsync(AppDbContext db, long alertId, Guid runId, CancellationToken cancellationToken)
    {
        var alert = await db.Alerts.FirstAsync(a => a.Id == alertId, cancellationToken);
        alert.RecoveredAt = time.GetUtcNow();
        alert.RecoveredByRunId = runId;
        await db.SaveChangesAsync(cancellationToken);
    }
}
