using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Hangfire;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using VPNLens.Core.Runs;
using VPNLens.Core.Webhooks;
using VPNLens.Tests.Infrastructure;
using VPNLens.Web.Email;
using VPNLens.Web.Notifications;

namespace VPNLens.Tests.Lab;

/// <summary>
/// The lab tests of schedules: the real app with a schedule every minute on the lab node (WireGuard, 1 s tests, 1 repeat,
/// alerts at 3 of 3) and a webhook endpoint pointing at a loopback receiver that checks every delivery's Standard
/// Webhooks signature with the endpoint's secret. The schedule's Hangfire recurring job fires within about a second of
/// each minute (the servers poll for due jobs every second), and pausing or resuming through the API removes or adds it.
/// </summary>
[Collection(AppCollection.Name)]
[Trait("Category", "Lab")]
public abstract partial class ScheduleLabTests : LabAppTests
{
    protected const int BaselineRuns = 3;
    private const int AlertM = 3;
    private const int AlertN = 3;

    private static readonly object Settings = new { tcpSeconds = 1, udpSeconds = 1, repeats = 1, maxRepeats = 1, udpTargetMbps = 10, pingCount = 5 };

    private readonly List<ReceivedWebhook> verified = [];

    protected override string Deadline => "00:03:00";

    /// <summary>The webhook deliveries received so far, each verified.</summary>
    protected IReadOnlyList<ReceivedWebhook> Verified => verified;

    /// <summary>
    /// Lets the new schedule run <see cref="BaselineRuns"/> times, pauses it and checks what a person would see: the runs
    /// one after another (a run still going when the minute comes round is not stacked by another), none failed, no
    /// alert, and exactly those runs in the history API and on the signed-in history page.
    /// </summary>
    protected async Task<List<Run>> RunBaselineAsync(Guid scheduleId, WebhookReceiver receiver, string secret)
    {
        await WaitForScheduledRunsAsync(scheduleId, BaselineRuns, BaselineRuns + 2, receiver, secret);
        await SetPausedAsync(scheduleId, true);
        var baseline = await DrainAsync(scheduleId, receiver, secret);
        Assert.True(baseline.Count == BaselineRuns, $"{baseline.Count} scheduled runs ended before the schedule was paused, not {BaselineRuns}");
        Assert.All(baseline, r => Assert.True(r.State == RunState.Succeeded, $"scheduled run {r.Id} ended {r.State}: {r.FailureReason}"));
        var byStart = baseline.OrderBy(r => r.StartedAt).ToList();
        for (var i = 1; i < byStart.Count; i++)
        {
            Assert.True(byStart[i].StartedAt >= byStart[i - 1].FinishedAt, $"scheduled run {byStart[i].Id} started before {byStart[i - 1].Id} ended");
        }

        Assert.True(verified.Count == 0, $"deliveries before any change: {string.Join("; ", verified.Select(Describe))}");
        await AssertHistoryShowsAsync(baseline);
        return baseline;
    }

    protected static long AlertId(ReceivedWebhook message) => message.Json.GetProperty("data").GetProperty("alertId").GetInt64();

    protected static string Describe(ReceivedWebhook message)
    {
        var data = message.Json.GetProperty("data");
        var metric = data.GetProperty("metric");
        return $"{message.Json.GetProperty("type").GetString()} #{AlertId(message)} {data.GetProperty("protocol")} {(metric.ValueKind == JsonValueKind.Null ? "-" : metric.GetProperty("key").GetString())}";
    }

    protected static void Report(string line) => TestContext.Current.SendDiagnosticMessage(line);

    [GeneratedRegex("data-testid=\"history-row\" data-protocol=\"wireguard\"")]
    private static partial Regex WireguardHistoryRow();

    protected List<ReceivedWebhook> Messages(string type) => [.. verified.Where(m => m.Json.GetProperty("type").GetString() == type)];

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

    protected async Task<(Guid Id, string Secret)> AddWebhookAsync(string url)
    {
        using var response = await Api.PostAsJsonAsync("/api/webhooks", new { name = "lab receiver", url }, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        return (body.GetProperty("id").GetGuid(), body.GetProperty("secret").GetString()!);
    }

    protected async Task<Guid> CreateScheduleAsync()
    {
        using var response = await Api.PostAsJsonAsync(
            "/api/schedules",
            new { nodeId = NodeId, protocols = new[] { "wireguard" }, cron = "* * * * *", email = "ops@example.com", alertM = AlertM, alertN = AlertN, settings = Settings },
            TestContext.Current.CancellationToken);
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        return (await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken)).GetProperty("id").GetGuid();
    }

    protected async Task SetPausedAsync(Guid scheduleId, bool paused)
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

    protected Task<List<Run>> WaitForScheduledRunsAsync(Guid scheduleId, int count, int runLimit, WebhookReceiver receiver, string secret) =>
        WaitForAsync(scheduleId, runLimit, receiver, secret, null, $"{count} scheduled runs to end", count);

    /// <summary>
    /// Polls until <paramref name="done"/> (or <paramref name="count"/> scheduled runs have ended), failing with a clear message
    /// once <paramref name="runLimit"/> scheduled runs have ended without it, or when no run ends for ten minutes.
    /// </summary>
    protected async Task<List<Run>> WaitForAsync(
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
    protected async Task<List<Run>> DrainAsync(Guid scheduleId, WebhookReceiver receiver, string secret)
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
}
