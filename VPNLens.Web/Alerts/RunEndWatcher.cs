using Hangfire;
using Hangfire.States;
using VPNLens.Core.Runs;
using VPNLens.Web.Email;
using VPNLens.Web.Runs;

namespace VPNLens.Web.Alerts;

/// <summary>Queues an alert evaluation for every run that ends (the database is read again by the job).</summary>
public sealed class RunEndWatcher(RunEvents events, IBackgroundJobClient jobs) : RunEventSubscriber(events)
{
    protected override Task HandleAsync(RunEvent runEvent)
    {
        // the instance whose transition ended the run evaluates it; another one doing so too would race it
        if (runEvent is RunStateChanged { State: var state, FromAnotherInstance: false } && state.IsTerminal() && state != RunState.Cancelled)
        {
            jobs.Create<AlertEvaluationJob>(job => job.EvaluateAsync(runEvent.RunId, CancellationToken.None), new EnqueuedState(RunNotificationJob.QueueName));
        }

        return Task.CompletedTask;
    }
}
