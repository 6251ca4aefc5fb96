using System.Threading.Channels;
using Hangfire;
using Hangfire.States;
using VPNLens.Core.Runs;
using VPNLens.Web.Email;
using VPNLens.Web.Runs;

namespace VPNLens.Web.Alerts;

/// <summary>
/// Queues the alert evaluation of every run that ends here (the database is read again by the job). The runs that
/// end within <see cref="Gathering"/> of each other share one job: a job costs the store a dozen writes, and a
/// burst of run ends (many nodes that started together) would otherwise queue one each.
/// </summary>
public sealed class RunEndWatcher(RunEvents events, IBackgroundJobClient jobs, TimeProvider time, ILogger<RunEndWatcher> logger)
    : RunEventSubscriber(events)
{
    /// <summary>How long the first run end waits for others to join its job; nothing about an alert is that urgent.</summary>
    public static readonly TimeSpan Gathering = TimeSpan.FromMilliseconds(100);

    /// <summary>The most runs one job evaluates.</summary>
    public const int MostPerJob = 200;

    private readonly Channel<Guid> ended = Channel.CreateUnbounded<Guid>();
    private Task queueing = Task.CompletedTask;
    private readonly TaskCompletionSource stopping = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Run ends not yet in a job.</summary>
    internal int Waiting => ended.Reader.Count;

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        queueing = Task.Run(QueueJobsAsync, CancellationToken.None);
        return base.StartAsync(cancellationToken);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        stopping.TrySetResult();
        ended.Writer.TryComplete();
        await queueing.WaitAsync(cancellationToken);
        await base.StopAsync(cancellationToken);
    }

    protected override Task HandleAsync(RunEvent runEvent)
    {
        // the instance whose transition ended the run evaluates it; another one doing so too would race it
        if (runEvent is RunStateChanged { State: var state, FromAnotherInstance: false } && state.IsTerminal() && state != RunState.Cancelled)
        {
            ended.Writer.TryWrite(runEvent.RunId);
        }

        return Task.CompletedTask;
    }

    private async Task QueueJobsAsync()
    {
        while (await ended.Reader.WaitToReadAsync())
        {
            // once stopping, what has ended so far is queued at once
            await Task.WhenAny(Task.Delay(Gathering, time), stopping.Task);

            var runIds = new List<Guid>();
            while (runIds.Count < MostPerJob && ended.Reader.TryRead(out var runId))
            {
                runIds.Add(runId);
            }

            try
            {
                Guid[] batch = [.. runIds];
                jobs.Create<AlertEvaluationJob>(job => job.EvaluateAllAsync(batch, CancellationToken.None), new EnqueuedState(RunNotificationJob.QueueName));
            }
#pragma warning disable CA1031 // logged, as a failed subscriber's event is; the later run ends still get their jobs
            catch (Exception ex)
#pragma warning restore CA1031
            {
                logger.LogWarning(ex, "Could not queue the alert evaluation of {Count} ended runs", runIds.Count);
            }
        }
    }
}
