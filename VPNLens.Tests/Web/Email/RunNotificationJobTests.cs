using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;
using VPNLens.Core.Runs;
using VPNLens.Tests.Infrastructure;
using VPNLens.Web.Email;
using VPNLens.Web.Runs;

namespace VPNLens.Tests.Web.Email;

/// <summary>The notification job on its own, against a real SMTP server in the test and a real SQLite file.</summary>
public sealed class RunNotificationJobTests : IAsyncLifetime
{
    private const string Reason = "No results within the 10-minute deadline; the node's script was stopped and its VPNs torn down.";
    private TestDatabase database = null!;
    private Run run = null!;

    public async ValueTask InitializeAsync()
    {
        database = await TestDatabase.CreateAsync();
        var node = Seed.Node("node1");
        run = Seed.Run(node.Id, RunState.TimedOut);
        run.FailureReason = Reason;
        await database.AddAsync(node, run);
    }

    public async ValueTask DisposeAsync() => await database.DisposeAsync();

    [Fact]
    public async Task A_timed_out_run_is_mailed_with_its_reason_in_text_and_html()
    {
        await using var smtp = await TestSmtpServer.StartAsync();

        await Job(smtp).SendAsync(run.Id, TestContext.Current.CancellationToken);

        var message = await smtp.NextMessageAsync(TimeSpan.FromSeconds(10));
        Assert.Equal("VPNLens: your benchmark on node1 timed out", message.Subject);
        Assert.Contains($"Reason: {Reason}", message.TextBody, StringComparison.Ordinal);
        Assert.Contains($"Full results: http://127.0.0.1:5080/r/{run.PublicToken}", message.TextBody, StringComparison.Ordinal);
        Assert.Contains("Reason: No results within the 10-minute deadline; the node&#39;s script was stopped", message.HtmlBody, StringComparison.Ordinal);
        var stored = await database.WithDbAsync(db => db.Runs.SingleAsync(r => r.Id == run.Id));
        Assert.Equal((EmailStatus.Sent, 1), (stored.EmailStatus, stored.EmailAttempts));
    }

    [Fact]
    public async Task A_run_already_mailed_is_not_mailed_again()
    {
        await using var smtp = await TestSmtpServer.StartAsync();
        var job = Job(smtp);

        await job.SendAsync(run.Id, TestContext.Current.CancellationToken);
        await smtp.NextMessageAsync(TimeSpan.FromSeconds(10));
        await job.SendAsync(run.Id, TestContext.Current.CancellationToken);

        Assert.Equal(0, smtp.Unread);
        Assert.Equal(1, await database.WithDbAsync(db => db.Runs.Where(r => r.Id == run.Id).Select(r => r.EmailAttempts).SingleAsync()));
    }

    [Fact]
    public async Task A_refusing_server_fails_the_attempt_so_hangfire_retries_and_says_why_on_the_run()
    {
        await using var smtp = await TestSmtpServer.StartAsync(refuseRecipients: true);
        var job = Job(smtp);

        await Assert.ThrowsAsync<EmailDeliveryException>(() => job.SendAsync(run.Id, TestContext.Current.CancellationToken));
        await Assert.ThrowsAsync<EmailDeliveryException>(() => job.SendAsync(run.Id, TestContext.Current.CancellationToken));

        var stored = await database.WithDbAsync(db => db.Runs.SingleAsync(r => r.Id == run.Id));
        Assert.Equal((EmailStatus.Failed, 2, RunState.TimedOut), (stored.EmailStatus, stored.EmailAttempts, stored.State));
        Assert.StartsWith("The mail server 127.0.0.1:", stored.EmailError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Each_failed_attempt_logs_one_warning_line_with_the_reason_and_no_stack_trace()
    {
        await using var smtp = await TestSmtpServer.StartAsync(refuseRecipients: true);
        var log = new FakeLogger<RunNotificationJob>();
        var job = Job(smtp, log);

        await Assert.ThrowsAsync<EmailDeliveryException>(() => job.SendAsync(run.Id, TestContext.Current.CancellationToken));
        await Assert.ThrowsAsync<EmailDeliveryException>(() => job.SendAsync(run.Id, TestContext.Current.CancellationToken));

        var entries = log.Collector.GetSnapshot();
        Assert.Equal(2, entries.Count);
        Assert.All(entries, e =>
        {
            Assert.Equal(LogLevel.Warning, e.Level);
            Assert.Null(e.Exception);
            Assert.Contains("The mail server 127.0.0.1:", e.Message, StringComparison.Ordinal);
            Assert.DoesNotContain('\n', e.Message);
        });
    }

    [Fact]
    public async Task Without_an_smtp_host_the_run_says_email_is_not_configured()
    {
        var job = new RunNotificationJob(database.Factory, new MailKitEmailSender(Options.Create(new SmtpOptions())), Options.Create(new AppOptions()), new RunEvents(NullLogger<RunEvents>.Instance), NullLogger<RunNotificationJob>.Instance);

        await job.SendAsync(run.Id, TestContext.Current.CancellationToken);

        var stored = await database.WithDbAsync(db => db.Runs.SingleAsync(r => r.Id == run.Id));
        Assert.Equal((EmailStatus.NotConfigured, 0), (stored.EmailStatus, stored.EmailAttempts));
    }

    [Fact]
    public async Task Without_an_smtp_host_a_run_end_marks_the_run_and_queues_no_job()
    {
        var jobs = new RecordingJobClient();
        var sender = new MailKitEmailSender(Options.Create(new SmtpOptions()));
        var notifier = new HangfireRunFinishedNotifier(jobs, sender, Job(sender), NullLogger<HangfireRunFinishedNotifier>.Instance);

        await notifier.RunFinishedAsync(run.Id);

        Assert.Empty(jobs.Jobs);
        var stored = await database.WithDbAsync(db => db.Runs.SingleAsync(r => r.Id == run.Id));
        Assert.Equal((EmailStatus.NotConfigured, 0), (stored.EmailStatus, stored.EmailAttempts));
    }

    [Fact]
    public async Task With_an_smtp_host_a_run_end_queues_the_email_job_and_sends_nothing_yet()
    {
        await using var smtp = await TestSmtpServer.StartAsync();
        var jobs = new RecordingJobClient();
        var job = Job(smtp);
        var notifier = new HangfireRunFinishedNotifier(jobs, new MailKitEmailSender(Options.Create(Settings(smtp))), job, NullLogger<HangfireRunFinishedNotifier>.Instance);

        await notifier.RunFinishedAsync(run.Id);

        var (queued, state) = Assert.Single(jobs.Jobs);
        Assert.Equal((typeof(RunNotificationJob), nameof(RunNotificationJob.SendAsync), run.Id), (queued.Type, queued.Method.Name, (Guid)queued.Args[0]!));
        Assert.Equal(RunNotificationJob.QueueName, ((Hangfire.States.EnqueuedState)state).Queue);
        Assert.Equal(0, smtp.Unread);
        Assert.Equal(EmailStatus.Pending, await database.WithDbAsync(db => db.Runs.Where(r => r.Id == run.Id).Select(r => r.EmailStatus).SingleAsync()));
    }

    private static SmtpOptions Settings(TestSmtpServer smtp) =>
        new() { Host = "127.0.0.1", Port = smtp.Port, Security = SmtpSecurity.None, From = "VPNLens <vpnlens@vpnlens.test>", Timeout = TimeSpan.FromSeconds(10) };

    private RunNotificationJob Job(IEmailSender sender) =>
        new(database.Factory, sender, Options.Create(new AppOptions()), new RunEvents(NullLogger<RunEvents>.Instance), NullLogger<RunNotificationJob>.Instance);

    private RunNotificationJob Job(TestSmtpServer smtp, ILogger<RunNotificationJob>? logger = null)
    {
        return new RunNotificationJob(database.Factory, new MailKitEmailSender(Options.Create(Settings(smtp))), Options.Create(new AppOptions()), new RunEvents(NullLogger<RunEvents>.Instance), logger ?? NullLogger<RunNotificationJob>.Instance);
    }
}
