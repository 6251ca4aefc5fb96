using System.Net;
using Hangfire;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;
using VPNLens.Core.Runs;
using VPNLens.Tests.Infrastructure;
using VPNLens.Web.Email;

namespace VPNLens.Tests.Web.Email;

/// <summary>
/// The whole path with a real SMTP server in the test: a node posts its results, the run ends, the notification job
/// mails the requester through MailKit, and the test reads the message back.
/// </summary>
[Collection(AppCollection.Name)]
public sealed class RunEmailTests
{
    private static readonly TimeSpan MailLimit = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_finished_run_mails_its_requester_once_with_the_permalink_and_the_headline_figures()
    {
        await using var smtp = await TestSmtpServer.StartAsync();
        await using var app = new VpnLensApp(smtp.Settings());
        using var client = app.CreateClient();
        var run = await SeedRunningRunAsync(app);

        using var posted = await client.SendAsync(SignedCallbacks.Request(run.Id, "results", run.CallbackSecret, Fixtures.FourProtocols()), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, posted.StatusCode);

        var message = await smtp.NextMessageAsync(MailLimit);
        var permalink = $"http://127.0.0.1:5080/r/{run.PublicToken}";
        Assert.Equal("ops@example.com", message.To.Mailboxes.Single().Address);
        Assert.Equal("VPNLens: your benchmark on node1 finished, some protocols failed", message.Subject);
        Assert.Contains("Reason: 1 of 4 protocols failed: tailscale / rung_ping", message.TextBody, StringComparison.Ordinal);
        Assert.Contains($"Full results: {permalink}", message.TextBody, StringComparison.Ordinal);
        Assert.Contains("WireGuard: up 812 Mbit/s, down 791 Mbit/s, latency p50 0.600 ms", message.TextBody, StringComparison.Ordinal);
        Assert.Contains("Headscale/Tailscale: failed at rung_ping: no reply from 100.64.0.1 within 30 s", message.TextBody, StringComparison.Ordinal);
        Assert.Contains($"<a href=\"{permalink}\">", message.HtmlBody, StringComparison.Ordinal);
        Assert.Contains("WireGuard: up 812 Mbit/s", message.HtmlBody, StringComparison.Ordinal);

        var sent = await app.WaitForRunAsync(run.Id, r => r.EmailStatus == EmailStatus.Sent, MailLimit, "email sent");
        Assert.Equal((RunState.Completed, 1, null), (sent.State, sent.EmailAttempts, sent.EmailError));

        // A redelivered results callback must not mail again: the run ended once, so it was announced once.
        using var again = await client.SendAsync(SignedCallbacks.Request(run.Id, "results", run.CallbackSecret, Fixtures.FourProtocols()), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        // The job sets Sent just before it returns; Hangfire records it as succeeded right after.
        var monitoring = app.Services.GetRequiredService<JobStorage>().GetMonitoringApi();
        // Ending a run also queues a dispatch round for whatever waits for its node; only the notification mails.
        await RunWaits.UntilAsync(() => monitoring.SucceededJobs(0, 100).Any(j => j.Value.Job.Type == typeof(RunNotificationJob)), MailLimit, "the notification job succeeded");
        Assert.Single(monitoring.SucceededJobs(0, 100), j => j.Value.Job.Type == typeof(RunNotificationJob));
        // The run's end also starts the alert evaluation and its announcing job: let them finish before reading the queues.
        await RunWaits.UntilAsync(() => monitoring.GetStatistics() is { Enqueued: 0, Processing: 0 }, MailLimit, "the queues drained");
        var statistics = monitoring.GetStatistics();
        Assert.Equal((0L, 0L, 0L, 0L), (statistics.Enqueued, statistics.Scheduled, statistics.Processing, statistics.Failed));
        Assert.Equal(0, smtp.Unread);
    }

    [Fact]
    public async Task A_server_that_refuses_the_mail_marks_the_email_failed_and_leaves_the_run_succeeded()
    {
        await using var smtp = await TestSmtpServer.StartAsync(refuseRecipients: true);
        await using var app = new VpnLensApp(smtp.Settings());
        using var client = app.CreateClient();
        var run = await SeedRunningRunAsync(app);

        using var posted = await client.SendAsync(SignedCallbacks.Request(run.Id, "results", run.CallbackSecret, Fixtures.FourProtocols()), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, posted.StatusCode);
        var failed = await app.WaitForRunAsync(run.Id, r => r.EmailStatus == EmailStatus.Failed, MailLimit, "email failed");
        Assert.Equal(RunState.Completed, failed.State);
        Assert.StartsWith("1 of 4 protocols failed", failed.FailureReason, StringComparison.Ordinal);
        Assert.Equal(1, failed.EmailAttempts);
        Assert.Equal("The mail server 127.0.0.1:" + smtp.Port + " refused the recipient ops@example.com: 550 mailbox unavailable", failed.EmailError);

        // The job records the failure, then throws so that Hangfire schedules a retry with backoff; nothing of it touches the run.
        var monitoring = app.Services.GetRequiredService<JobStorage>().GetMonitoringApi();
        await RunWaits.UntilAsync(() => monitoring.ScheduledCount() == 1, MailLimit, "the retry scheduled");
        Assert.Equal(RunState.Completed, (await app.WaitForRunAsync(run.Id, _ => true, MailLimit, "read")).State);
        Assert.Equal(0, smtp.Unread);
    }

    private static async Task<Run> SeedRunningRunAsync(VpnLensApp app)
    {
        var node = Seed.Node("node1");
        var run = Seed.Run(node.Id, RunState.Running, protocols: ["wireguard", "tailscale", "nebula"]);
        await app.WithDbAsync(async db =>
        {
            db.AddRange(node, run);
            await db.SaveChangesAsync();
        });
        return run;
    }
}
