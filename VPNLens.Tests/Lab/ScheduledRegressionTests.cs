using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MathNet.Numerics.Distributions;
using MathNet.Numerics.Statistics;
using Microsoft.EntityFrameworkCore;
using VPNLens.Core.Results;
using VPNLens.Core.Runs;
using VPNLens.Tests.Infrastructure;
using VPNLens.Web.Notifications;

namespace VPNLens.Tests.Lab;

/// <summary>
/// Continuous benchmarking on the lab, end to end: after <see cref="ScheduleLabTests.RunBaselineAsync"/>, the VPN
/// endpoint's link throttled with <c>lab.sh throttle</c> (tc tbf) until the throughput alerts open, then unthrottled
/// until they recover, each announced once to the receiver. The detector judges a result only against a baseline of
/// at least 20 earlier results, so the node gets 30 earlier runs through the app's own persistence, at the levels its
/// first scheduled runs measured; everything after them is real.
/// </summary>
public sealed class ScheduledRegressionTests : ScheduleLabTests
{
    private const int SeededRuns = 30;

    /// <summary>
    /// At most this many throttled runs for the alerts to open: results far below all 33 earlier ones add about 1.4 each
    /// to the detector's sum, which passes 6 at the fifth, then M of N.
    /// </summary>
    private const int ThrottledRunLimit = 12;

    /// <summary>At most this many good runs for every alert to recover.</summary>
    private const int RecoveredRunLimit = 20;

    /// <summary>The throughput series a throttle of the endpoint's link each way must move.</summary>
    private static readonly (string Protocol, string Metric)[] Throttled =
        [("direct", "tcp_upload"), ("direct", "tcp_download"), ("wireguard", "tcp_upload"), ("wireguard", "tcp_download")];

    // about 20 scheduled runs, one a minute at best: 37 min on this 2-core machine
    protected override bool IsLongScenario => true;

    [Fact]
    public async Task A_schedule_on_a_throttled_lab_node_alerts_once_per_series_and_recovers_once()
    {
        var clock = Stopwatch.StartNew();
        var ct = TestContext.Current.CancellationToken;
        using var receiver = new WebhookReceiver();
        var (endpointId, secret) = await AddWebhookAsync(receiver.Url);
        var scheduleId = await CreateScheduleAsync();
        try
        {
            var baseline = await RunBaselineAsync(scheduleId, receiver, secret);
            var levels = await SeedEarlierRunsAsync(baseline);
            var rate = Math.Max(20, (int)(levels.Min() / 5 / 1e6));
            Report($"baseline of {BaselineRuns} runs in {clock.Elapsed.TotalMinutes:0.0} min; lowest throughput {levels.Min() / 1e6:0} Mbit/s; throttling to {rate} Mbit/s");

            await Lab("throttle", $"{rate}mbit");
            await SetPausedAsync(scheduleId, false);
            var opened = await WaitForAsync(
                scheduleId, baseline.Count + ThrottledRunLimit, receiver, secret,
                () => Throttled.All(s => Messages(AlertNotice.Opened).Any(m => Is(m, s))),
                "the throughput alerts to open while throttled");
            await SetPausedAsync(scheduleId, true);
            var throttledRuns = (await DrainAsync(scheduleId, receiver, secret)).Count - baseline.Count;
            Report($"alerts opened after {throttledRuns} throttled runs, at {clock.Elapsed.TotalMinutes:0.0} min");

            await Lab("unthrottle");
            var openedBeforeRecovery = Messages(AlertNotice.Opened).Count;
            await SetPausedAsync(scheduleId, false);
            await WaitForAsync(
                scheduleId, baseline.Count + throttledRuns + RecoveredRunLimit, receiver, secret,
                () => Messages(AlertNotice.Opened).All(o => Messages(AlertNotice.Recovered).Any(r => AlertId(r) == AlertId(o))),
                "every alert to recover once unthrottled");
            await SetPausedAsync(scheduleId, true);
            var all = await DrainAsync(scheduleId, receiver, secret);
            Report($"recovered after {all.Count - baseline.Count - throttledRuns} good runs; {all.Count} scheduled runs in {clock.Elapsed.TotalMinutes:0.0} min");

            AssertEachAlertAnnouncedOnceAndRecoveredOnce(openedBeforeRecovery);
            await AssertDeliveryLogAsync(endpointId);
            Assert.All(all, r => Assert.True(r.State == RunState.Succeeded, $"scheduled run {r.Id} ended {r.State}: {r.FailureReason}"));
        }
        finally
        {
            await Lab("unthrottle");
        }
    }

    private static bool Is(ReceivedWebhook message, (string Protocol, string Metric) series)
    {
        var data = message.Json.GetProperty("data");
        return data.GetProperty("protocol").GetString() == series.Protocol && data.GetProperty("metric").GetProperty("key").GetString() == series.Metric;
    }

    private static Task<string> Lab(params string[] arguments) => ProcessRunner.RunAsync(Infrastructure.Lab.Script, arguments);

    private void AssertEachAlertAnnouncedOnceAndRecoveredOnce(int openedBeforeRecovery)
    {
        var summary = string.Join("; ", Verified.Select(Describe));
        Report($"webhook deliveries: {summary}");
        Assert.All(Verified, m => Assert.Equal(1, Verified.Count(o => o.Id == m.Id)));
        var opened = Messages(AlertNotice.Opened);
        Assert.True(opened.Count == openedBeforeRecovery, $"an alert opened after the throttle was lifted: {summary}");
        Assert.Empty(Messages(AlertNotice.RunFailed));
        Assert.All(Throttled, s => Assert.True(opened.Count(m => Is(m, s)) == 1, $"{s.Protocol} {s.Metric}: not exactly one alert: {summary}"));
        foreach (var alert in opened.Select(AlertId))
        {
            Assert.True(opened.Count(m => AlertId(m) == alert) == 1, $"alert #{alert} announced more than once: {summary}");
            Assert.True(Messages(AlertNotice.Recovered).Count(m => AlertId(m) == alert) == 1, $"alert #{alert} did not recover exactly once: {summary}");
        }

        Assert.Equal(Verified.Count, opened.Count * 2);
    }

    private async Task AssertDeliveryLogAsync(Guid endpointId)
    {
        var attempts = await Api.GetFromJsonAsync<JsonElement>($"/api/webhooks/{endpointId}/deliveries", TestContext.Current.CancellationToken);
        var succeeded = attempts.EnumerateArray().Where(a => a.GetProperty("succeeded").GetBoolean()).Select(a => a.GetProperty("messageId").GetString()).ToList();
        Assert.Equal(Verified.Select(m => m.Id).Order(), succeeded.Order());
    }

    /// <summary>
    /// Stores <see cref="SeededRuns"/> finished runs before the first scheduled one, through the app's DbContext, with the
    /// scheduled runs' settings and each throughput figure drawn around the level the scheduled runs measured (the other
    /// figures stay empty: only the real runs give those series). Returns the measured throughput levels.
    /// </summary>
    private async Task<List<double>> SeedEarlierRunsAsync(List<Run> baseline)
    {
        var ids = baseline.Select(r => r.Id).ToList();
        var results = await App.WithDbAsync(db => db.ProtocolResults.AsNoTracking().Where(r => ids.Contains(r.RunId)).ToListAsync());
        var levels = new List<double>();
        var random = new Random(23);
        var first = baseline[0];
        var rows = new List<object>();
        for (var i = 0; i < SeededRuns; i++)
        {
            var at = first.FinishedAt!.Value.AddMinutes(i - SeededRuns);
            var run = Seed.Run(NodeId, RunState.Succeeded, protocols: [.. first.Protocols.Where(p => p != Protocols.Direct)]);
            run.Settings = first.Settings;
            run.QueuedAt = at.AddSeconds(-50);
            run.StartedAt = at.AddSeconds(-45);
            run.FinishedAt = at;
            run.DeadlineAt = at.AddMinutes(3);
            rows.Add(run);
            foreach (var protocol in first.Protocols)
            {
                var measured = results.Where(r => r.Protocol == protocol).ToList();
                Assert.True(measured.Count == baseline.Count && measured.All(r => r.Succeeded), $"{protocol} did not succeed in every baseline run");
                rows.Add(new ProtocolResult
                {
                    RunId = run.Id,
                    NodeId = run.NodeId,
                    FinishedAt = at,
                    Protocol = protocol,
                    Succeeded = true,
                    UploadMedianBitsPerSecond = Around(measured.Select(r => r.UploadMedianBitsPerSecond!.Value).ToList(), random),
                    DownloadMedianBitsPerSecond = Around(measured.Select(r => r.DownloadMedianBitsPerSecond!.Value).ToList(), random),
                });
            }
        }

        foreach (var protocol in first.Protocols)
        {
            levels.Add(results.Where(r => r.Protocol == protocol).Min(r => r.UploadMedianBitsPerSecond!.Value));
            levels.Add(results.Where(r => r.Protocol == protocol).Min(r => r.DownloadMedianBitsPerSecond!.Value));
        }

        await App.WithDbAsync(async db =>
        {
            db.AddRange(rows);
            await db.SaveChangesAsync();
        });
        Report(string.Join("; ", results.OrderBy(r => r.Protocol).Select(r => string.Create(
            CultureInfo.InvariantCulture, $"{r.Protocol} up {r.UploadMedianBitsPerSecond / 1e6:0} down {r.DownloadMedianBitsPerSecond / 1e6:0} Mbit/s"))));
        return levels;
    }

    /// <summary>A value from a normal distribution with the measured values' mean and spread (at least 3 % of the mean).</summary>
    private static double Around(List<double> measured, Random random)
    {
        var mean = measured.Average();
        var spread = Math.Max(0.03 * mean, measured.StandardDeviation());
        return Math.Max(mean * 0.5, Normal.Sample(random, mean, spread));
    }
}
