using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using VPNLens.Core.Regressions;
using VPNLens.Core.Runs;
using VPNLens.Core.Schedules;
using VPNLens.Core.Webhooks;
using VPNLens.Tests.Infrastructure;
using VPNLens.Web.Alerts;
using VPNLens.Web.Notifications;

namespace VPNLens.Tests.Web.Notifications;

[Collection(AppCollection.Name)]
public sealed class AlertNotificationTests : IAsyncLifetime
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(20);
    private readonly FakeTimeProvider time = new(NotificationApp.Start);
    private readonly RecordingJobClient jobs = new();
    private readonly WebhookReceiver receiver = new();
    private TestSmtpServer smtp = null!;
    private VpnLensApp app = null!;
    private Guid nodeId;
    private Guid scheduleId;
    private Run openingRun = null!;
    private string secret = null!;

    public async ValueTask InitializeAsync()
    {
        smtp = await TestSmtpServer.StartAsync();
        app = NotificationApp.Create(time, jobs, smtp.Settings());
        var node = Seed.Node("lab-node");
        nodeId = node.Id;
        openingRun = Seed.Run(nodeId, RunState.Succeeded, protocols: "wireguard");
        var schedule = new Schedule { NodeId = nodeId, Protocols = ["wireguard"], Cron = "0 * * * *", Email = "ops@example.com", CreatedAt = time.GetUtcNow() };
        scheduleId = schedule.Id;
        await app.WithDbAsync(async db =>
        {
            db.Nodes.Add(node);
            db.Runs.Add(openingRun);
            db.Schedules.Add(schedule);
            await db.SaveChangesAsync();
        });
        using var client = app.CreateApiClient();
        using var created = await client.PostAsJsonAsync("/api/webhooks", new { name = "receiver", url = receiver.Url }, TestContext.Current.CancellationToken);
        secret = (await created.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken)).GetProperty("secret").GetString()!;
        using var disabled = await client.PostAsJsonAsync("/api/webhooks", new { name = "off", url = "http://127.0.0.1:9/never", enabled = false }, TestContext.Current.CancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        await app.DisposeAsync();
        await smtp.DisposeAsync();
        receiver.Dispose();
    }

    [Fact]
    public async Task An_opened_regression_is_announced_once_by_email_and_webhook_however_often_the_job_runs()
    {
        var alert = await AddAlertAsync(Regression());

        await NotifyAsync();
        await NotifyAsync();
        Assert.Equal(1, jobs.Count<AlertEmailJob>());
        Assert.Equal(1, jobs.Count<WebhookDeliveryJob>());
        await app.RunJobsAsync<AlertEmailJob>(jobs);
        await app.RunJobsAsync<AlertEmailJob>(jobs);
        await app.RunJobsAsync<WebhookDeliveryJob>(jobs);

        var mail = await smtp.NextMessageAsync(Limit);
        Assert.Equal("ops@example.com", mail.To.ToString());
        Assert.Equal("VPNLens: TCP upload of WireGuard on lab-node got worse by 15 %", mail.Subject);
        Assert.Contains("(95 % interval -20 % to -10 %)", mail.TextBody, StringComparison.Ordinal);
        Assert.Contains($"/r/{openingRun.PublicToken}", mail.TextBody, StringComparison.Ordinal);
        Assert.Contains($"history/{nodeId}?range=7&protocol=wireguard#tcp_upload", mail.TextBody, StringComparison.Ordinal);
        Assert.Equal(0, smtp.Unread);

        var request = Assert.Single(receiver.Requests);
        Assert.Equal(WebhookVerification.Valid, request.Verify(secret, time.GetUtcNow()));
        var json = request.Json;
        Assert.Equal("alert.opened", json.GetProperty("type").GetString());
        var data = json.GetProperty("data");
        Assert.Equal(alert.Id, data.GetProperty("alertId").GetInt64());
        Assert.Equal("lab-node", data.GetProperty("node").GetProperty("name").GetString());
        Assert.Equal("wireguard", data.GetProperty("protocol").GetString());
        Assert.Equal("tcp_upload", data.GetProperty("metric").GetProperty("key").GetString());
        Assert.Equal(-0.15, data.GetProperty("change").GetProperty("relative").GetDouble(), 6);
        Assert.Equal(-0.2, data.GetProperty("change").GetProperty("relativeLow").GetDouble(), 6);
        Assert.EndsWith($"/r/{openingRun.PublicToken}", data.GetProperty("links").GetProperty("run").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_recovery_is_announced_once_after_the_opening()
    {
        var recoveringRun = Seed.Run(nodeId, RunState.Succeeded, protocols: "wireguard");
        await app.WithDbAsync(async db =>
        {
            db.Runs.Add(recoveringRun);
            await db.SaveChangesAsync();
        });
        var alert = await AddAlertAsync(Regression());
        await NotifyAsync();
        await app.WithDbAsync(db => db.Alerts.Where(a => a.Id == alert.Id).ExecuteUpdateAsync(s => s
            .SetProperty(a => a.RecoveredAt, time.GetUtcNow().AddHours(3))
            .SetProperty(a => a.RecoveredByRunId, recoveringRun.Id)));

        await NotifyAsync();
        await NotifyAsync();
        await app.RunJobsAsync<WebhookDeliveryJob>(jobs);

        Assert.Equal(["alert.opened", "alert.recovered"], receiver.Requests.Select(r => r.Json.GetProperty("type").GetString()));
        Assert.Equal(2, receiver.Requests.Select(r => r.Id).Distinct().Count());
        var recovered = receiver.Requests.Last().Json.GetProperty("data");
        Assert.EndsWith($"/r/{recoveringRun.PublicToken}", recovered.GetProperty("links").GetProperty("run").GetString(), StringComparison.Ordinal);
        Assert.Equal(2, await app.WithDbAsync(db => db.AlertNotifications.CountAsync(n => n.AlertId == alert.Id)));
    }

    [Fact]
    public async Task A_failing_schedule_is_a_run_failed_message_with_its_reason()
    {
        await AddAlertAsync(new Alert { Kind = AlertKind.RunFailed, Reason = "The node did not answer over SSH." });

        await NotifyAsync();
        await app.RunJobsAsync<WebhookDeliveryJob>(jobs);
        await app.RunJobsAsync<AlertEmailJob>(jobs);

        var json = Assert.Single(receiver.Requests).Json;
        Assert.Equal("run.failed", json.GetProperty("type").GetString());
        Assert.Equal("The node did not answer over SSH.", json.GetProperty("data").GetProperty("reason").GetString());
        var mail = await smtp.NextMessageAsync(Limit);
        Assert.Equal("VPNLens: scheduled runs on lab-node are failing", mail.Subject);
        Assert.Contains("The node did not answer over SSH.", mail.TextBody, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Two_instances_announcing_at_once_send_one_message()
    {
        await AddAlertAsync(Regression());
        var job1 = app.Services.CreateAsyncScope();
        var job2 = app.Services.CreateAsyncScope();
        await using (job1)
        await using (job2)
        {
            await Task.WhenAll(
                job1.ServiceProvider.GetRequiredService<AlertNotificationJob>().NotifyAsync(TestContext.Current.CancellationToken),
                job2.ServiceProvider.GetRequiredService<AlertNotificationJob>().NotifyAsync(TestContext.Current.CancellationToken));
        }

        Assert.Equal(1, jobs.Count<WebhookDeliveryJob>());
        Assert.Equal(1, jobs.Count<AlertEmailJob>());
    }

    [Fact]
    public async Task Alerts_older_than_the_lookback_are_not_announced()
    {
        var alert = Regression();
        alert.OpenedAt = time.GetUtcNow() - UnannouncedAlerts.Lookback - TimeSpan.FromMinutes(1);
        await AddAlertAsync(alert, keepOpenedAt: true);

        await NotifyAsync();

        Assert.Equal(0, jobs.Count<WebhookDeliveryJob>() + jobs.Count<AlertEmailJob>());
    }

    [Fact]
    public async Task The_alert_evaluation_leaves_the_announcing_to_its_own_job()
    {
        await AddAlertAsync(Regression());

        await EvaluateAsync();

        Assert.Equal(1, jobs.Count<AlertNotificationJob>());
        Assert.Equal(0, jobs.Count<WebhookDeliveryJob>() + jobs.Count<AlertEmailJob>());
    }

    [Fact]
    public async Task An_evaluation_that_leaves_nothing_to_announce_queues_no_announcing_job()
    {
        var announced = await AddAlertAsync(Regression());
        await NotifyAsync();
        var stale = Regression();
        stale.OpenedAt = time.GetUtcNow() - UnannouncedAlerts.Lookback - TimeSpan.FromMinutes(1);
        await AddAlertAsync(stale, keepOpenedAt: true);

        await EvaluateAsync();

        Assert.Equal(0, jobs.Count<AlertNotificationJob>());
        Assert.True(await app.WithDbAsync(db => db.AlertNotifications.AnyAsync(n => n.AlertId == announced.Id)));
    }

    [Fact]
    public async Task A_recovery_not_yet_announced_has_the_evaluation_queue_the_announcing_job()
    {
        var alert = await AddAlertAsync(Regression());
        await NotifyAsync();
        await app.WithDbAsync(async db =>
        {
            var stored = await db.Alerts.SingleAsync(a => a.Id == alert.Id);
            stored.RecoveredAt = time.GetUtcNow();
            await db.SaveChangesAsync();
        });

        await EvaluateAsync();

        Assert.Equal(1, jobs.Count<AlertNotificationJob>());
    }

    private static Alert Regression() => new()
    {
        Kind = AlertKind.Regression,
        Protocol = "wireguard",
        Metric = TrackedMetric.TcpUpload.Key,
        ChangeAt = NotificationApp.Start.AddHours(-2),
        Before = 100e6,
        After = 85e6,
        ShiftLow = -20e6,
        ShiftHigh = -10e6,
        PValue = 0.001,
    };

    private async Task<Alert> AddAlertAsync(Alert alert, bool keepOpenedAt = false)
    {
        alert.NodeId = nodeId;
        alert.ScheduleId = scheduleId;
        alert.OpenedByRunId = openingRun.Id;
        if (!keepOpenedAt)
        {
            alert.OpenedAt = time.GetUtcNow();
        }

        await app.WithDbAsync(async db =>
        {
            db.Alerts.Add(alert);
            await db.SaveChangesAsync();
        });
        return alert;
    }

    /// <summary>Evaluates two runs that ended together: one job, as the run end watcher queues it.</summary>
    private async Task EvaluateAsync()
    {
        await using var scope = app.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<AlertEvaluationJob>().EvaluateAllAsync([Guid.NewGuid(), Guid.NewGuid()], TestContext.Current.CancellationToken);
    }

    private async Task NotifyAsync()
    {
        await using var scope = app.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<AlertNotificationJob>().NotifyAsync(TestContext.Current.CancellationToken);
    }
}
