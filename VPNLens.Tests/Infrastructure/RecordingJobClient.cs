using System.Collections.Concurrent;
using Hangfire;
using Hangfire.Common;
using Hangfire.States;
using VPNLens.Web.Runs;

namespace VPNLens.Tests.Infrastructure;

/// <summary>Records the Hangfire jobs a component test enqueues instead of running them.</summary>
public sealed class RecordingJobClient : IBackgroundJobClient
{
    public ConcurrentQueue<(Job Job, IState State)> Jobs { get; } = new();

    public string Create(Job job, IState state)
    {
        Jobs.Enqueue((job, state));
        return Jobs.Count.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    public bool ChangeState(string jobId, IState state, string expectedState) => true;
}

/// <summary>Counts dispatch rounds asked for, instead of running the dispatcher.</summary>
public sealed class RecordingDispatchRequests : IRunDispatchRequests
{
    private int requests;

    public int Requests => requests;

    public void Request() => Interlocked.Increment(ref requests);
}

/// <summary>Records which runs ended with a notification, instead of mailing.</summary>
public sealed class RecordingNotifier : IRunFinishedNotifier
{
    public ConcurrentQueue<Guid> Finished { get; } = new();

    public Task RunFinishedAsync(Guid runId)
    {
        Finished.Enqueue(runId);
        return Task.CompletedTask;
    }
}
