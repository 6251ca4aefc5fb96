using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Hangfire;
using MathNet.Numerics.Distributions;
using MathNet.Numerics.Statistics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using VPNLens.Core.Results;
using VPNLens.Core.Runs;
using VPNLens.Core.Webhooks;
using VPNLens.Tests.Infrastructure;
using VPNLens.Web.Email;
using VPNLens.Web.Notifications;

namespace VPNLens.Tests.Lab;

/// <summary>
/// Continuous benchmarking on the lab, end to end: a schedule every minute on the lab node, its runs in the history,
/// the VPN endpoint's link throttled with <c>lab.sh throttle</c> (tc tbf) until the throughput alerts open, then
/// unthrottled until they recover, each announced once to a real webhook receiver that checks every signature.
/// The detector judges a result only against a baseline of at least 20 earlier results, so the node gets 30 earlier
/// runs through the app's own persistence, at the levels its first scheduled runs measured; everything after them is
/// real. The schedule's Hangfire recurring job fires within about a second of each minute (the servers poll for due
/// jobs every second), and pausing or resuming through the API removes or adds it.
/// </summary>
[Collection(AppCollection.Name)]
[Trait("Category", "Lab")]
public sealed partial class ScheduledRegressionTests : LabAppTests
{
    private const int BaselineRuns = 3;
    private const int SeededRuns = 30;
    private const int AlertM = 3;
    private const int AlertN = 3;

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

    private static readonly object Settings = new { tcpSeconds = 1, udpSeconds = 1, repeats = 1, maxRepeats = 1, udpTargetMbps = 10, pingCount = 5 };

    private readonly List<ReceivedWebhook> verified = [];

    protected override string Deadline => "00:03:00";

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
            var baseline = await WaitForScheduledRunsAsync(scheduleId, BaselineRuns, BaselineRuns + 2, receiver, secret);
            await SetPausedAsync(scheduleId, true);
            baseline = await DrainAsync(scheduleId, receiver, secret);
            Assert.True(baseline.Count == BaselineRuns, $"{baseline.Count} scheduled runs ended before the schedule was paused, not {BaselineRuns}");
            await AssertHistoryShowsAsync(baseline);
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

    private static long AlertId(ReceivedWebhook message) => message.Json.GetProperty("data").GetProperty("alertId").GetInt64();

    private static string Describe(ReceivedWebhook message)
    {
        var data = message.Json.GetProperty("data");
        var metric = data.GetProperty("metric");
        return $"{message.Json.GetProperty("type").GetString()} #{AlertId(message)} {data.GetProperty("protocol")} {(metric.ValueKind == JsonValueKind.Null ? "-" : metric.GetProperty("key").GetString())}";
    }

    private static void Report(string line) => TestContext.Current.SendDiagnosticMessage(line);

    private static Task<string> Lab(params string[] arguments) => ProcessRunner.RunAsync(Infrastructure.Lab.Script, arguments);

    [GeneratedRegex("data-testid=\"history-row\" data-protocol=\"wireguard\"")]
    private static partial Regex WireguardHistoryRow();

    private List<ReceivedWebhook> Messages(string type) => [.. verified.Where(m => m.Json.GetProperty("type").GetString() == type)];

    /// <summary>Takes the receiver's new requests, each checked against the endpoint's secret as it arrives.</summary>
    private void Collect(WebhookReceiver receiver, string secret)
    {
        foreach (var request in receiver.Requests.Skip(verified.Count))
        {
            var verification = request.Verify(secret, DateTimeOffset.UtcNow);
            Assert.True(verification == WebhookVerification.Valid, $"a delivery to the receiver did not verify: {verification}");
            verified.Add(request);
        }
    }

    private void AssertEachAlertAnnouncedOnceAndRecoveredOnce(int openedBeforeRecovery)
    {
        var summary = string.Join("; ", verified.Select(Describe));
        Report($"webhook deliveries: {summary}");
        Assert.All(verified, m => Assert.Equal(1, verified.Count(o => o.Id == m.Id)));
        var opened = Messages(AlertNotice.Opened);
        Assert.True(opened.Count == openedBeforeRecovery, $"an alert opened after the throttle was lifted: {summary}");
        Assert.Empty(Messages(AlertNotice.RunFailed));
        Assert.All(Throttled, s => Assert.True(opened.Count(m => Is(m, s)) == 1, $"{s.Protocol} {s.Metric}: not exactly one alert: {summary}"));
        foreach (var alert in opened.Select(AlertId))
        {
            Assert.True(opened.Count(m => AlertId(m) == alert) == 1, $"alert #{alert} announced more than once: {summary}");
            Assert.True(Messages(AlertNotice.Recovered).Count(m => AlertId(m) == alert) == 1, $"alert #{alert} did not recover exactly once: {summary}");
        }

        Assert.Equal(verified.Count, opened.Count * 2);
    }

    private async Task AssertDeliveryLogAsync(Guid endpointId)
    {
        var attempts = await Api.GetFromJsonAsync<JsonElement>($"/api/webhooks/{endpointId}/deliveries", TestContext.Current.CancellationToken);
        var succeeded = attempts.EnumerateArray().Where(a => a.GetProperty("succeeded").GetBoolean()).Select(a => a.GetProperty("messageId").GetString()).ToList();
        Assert.Equal(verified.Select(m => m.Id).Order(), succeeded.Order());
    }

    private async Task<(Guid Id, string Secret)> AddWebhookAsync(string url)
    {
        using var response = await Api.PostAsJsonAsync("/api/webhooks", new { name = "lab receiver", url }, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        return (body.GetProperty("id").GetGuid(), body.GetProperty("secret").GetString()!);
    }

    private async Task<Guid> CreateScheduleAsync()
    {
        using var response = await Api.PostAsJsonAsync(
            "/api/schedules",
            new { nodeId = NodeId, protocols = new[] { "wireguard" }, cron = "* * * * *", email = "ops@example.com", alertM = AlertM, alertN = AlertN, settings = Settings },
            TestContext.Current.CancellationToken);
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        return (await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken)).GetProperty("id").GetGuid();
    }

    private async Task SetPausedAsync(Guid scheduleId, bool paused)
    {
        using var response = await Api.PostAsync(new Uri($"/api/schedules/{scheduleId}/{(paused ? "pause" : "resume")}", UriKind.Relative), null, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private Task<List<Run>> ScheduledRunsAsync(Guid scheduleId) => App.WithDbAsync(db => db.ScheduledRuns.AsNoTracking()
        .Where(s => s.ScheduleId == scheduleId)
        .Join(db.Runs.AsNoTracking(), s => s.RunId, r => r.Id, (s, r) => r)
        .ToListAsync());

    private static List<Run> Ended(IEnumerable<Run> runs) =>
        [.. runs.Where(r => r.State.IsTerminal() && !r.RemoteStopPending).OrderBy(r => r.FinishedAt)];

    private Task<List<Run>> WaitForScheduledRunsAsync(Guid scheduleId, int count, int runLimit, WebhookReceiver receiver, string secret) =>
        WaitForAsync(scheduleId, runLimit, receiver, secret, null, $"{count} scheduled runs to end", count);

    /// <summary>
    /// Polls until <paramref name="done"/> (or <paramref name="count"/> scheduled runs have ended), failing with a clear message
    /// once <paramref name="runLimit"/> scheduled runs have ended without it, or when no run ends for ten minutes.
    /// </summary>
    private async Task<List<Run>> WaitForAsync(
        Guid scheduleId, int runLimit, WebhookReceiver receiver, string secret, Func<bool>? done, string what, int count = int.MaxValue)
    {
        var lastProgress = DateTime.UtcNow;
        var endedBefore = -1;
        while (true)
        {
            Collect(receiver, secret);
            var ended = Ended(await ScheduledRunsAsync(scheduleId));
            if (ended.Count >= count || (done is not null && done()))
            {
                return ended;
            }

            var failed = ended.FirstOrDefault(r => r.State != RunState.Succeeded);
            Assert.True(failed is null, $"waiting for {what}, scheduled run {failed?.Id} ended {failed?.State}: {failed?.FailureReason}");
            Assert.True(ended.Count <= runLimit, $"{ended.Count} scheduled runs ended without {what}; deliveries: {string.Join("; ", verified.Select(Describe))}");
            if (ended.Count != endedBefore)
            {
                (endedBefore, lastProgress) = (ended.Count, DateTime.UtcNow);
            }

            Assert.True(DateTime.UtcNow - lastProgress < TimeSpan.FromMinutes(10), $"no scheduled run ended for 10 minutes while waiting for {what}");
            await Task.Delay(500, TestContext.Current.CancellationToken);
        }
    }

    /// <summary>Once the schedule is paused: waits for its queued or running run, then for the alert jobs of the last one.</summary>
    private async Task<List<Run>> DrainAsync(Guid scheduleId, WebhookReceiver receiver, string secret)
    {
        var deadline = DateTime.UtcNow.AddMinutes(5);
        while (true)
        {
            var runs = await ScheduledRunsAsync(scheduleId);
            if (runs.All(r => r.State.IsTerminal() && !r.RemoteStopPending))
            {
                break;
            }

            Assert.True(DateTime.UtcNow < deadline, "a paused schedule's last run did not end within 5 minutes");
            await Task.Delay(500, TestContext.Current.CancellationToken);
        }

        // the run's end queues its alert evaluation, which queues the announcements, which queue the deliveries
        var settled = 0;
        var evaluated = DateTime.UtcNow.AddMinutes(2);
        while (settled < 3)
        {
            settled = NotificationsSettled() ? settled + 1 : 0;
            Assert.True(DateTime.UtcNow < evaluated, "the alert and webhook jobs of the last run did not settle within 2 minutes");
            await Task.Delay(1000, TestContext.Current.CancellationToken);
        }

        Collect(receiver, secret);
        return Ended(await ScheduledRunsAsync(scheduleId));
    }

    /// <summary>No alert, announcement or webhook job is waiting, running or waiting to retry.</summary>
    private bool NotificationsSettled()
    {
        var monitoring = App.Services.GetRequiredService<JobStorage>().GetMonitoringApi();
        return monitoring.EnqueuedCount(RunNotificationJob.QueueName) == 0 && monitoring.ScheduledCount() == 0
            && !monitoring.ProcessingJobs(0, 100).Any(j => j.Value.Job?.Type.Namespace is "VPNLens.Web.Alerts" or "VPNLens.Web.Notifications");
    }

    private async Task AssertHistoryShowsAsync(List<Run> baseline)
    {
        var ct = TestContext.Current.CancellationToken;
        var history = await Api.GetFromJsonAsync<JsonElement>($"/api/history?node={NodeId}&protocol=wireguard&metric=tcp_upload", ct);
        var points = history.GetProperty("points").EnumerateArray().ToList();
        Assert.Equal(baseline.Select(r => r.Id).Order(), points.Select(p => p.GetProperty("runId").GetGuid()).Order());
        Assert.All(points, p => Assert.True(p.GetProperty("value").GetDouble() > 0, "a history point without a figure"));

        using var browser = SignIn.CookieClient(BaseAddress);
        await SignIn.SignInAsync(browser, SignIn.AdminEmail, SignIn.AdminPassword);
        var page = await browser.GetStringAsync(new Uri($"/history/{NodeId}", UriKind.Relative), ct);
        Assert.Equal(baseline.Count, WireguardHistoryRow().Count(page));
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
