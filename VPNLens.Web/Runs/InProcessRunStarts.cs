using System.Threading.Channels;
using Hangfire;
using Hangfire.States;
using Microsoft.Extensions.Options;

namespace VPNLens.Web.Runs;

/// <summary>Has the runs of a committed dispatch chunk started on their nodes (<see cref="BenchmarkJob.StartAllAsync"/>).</summary>
public interface IRunStarts
{
    void Start(Guid[] runIds);
}

/// <summary>Starts a chunk's runs in a Hangfire job, which any instance's worker picks up.</summary>
public sealed class HangfireRunStarts(IBackgroundJobClient jobs) : IRunStarts
{
    public void Start(Guid[] runIds) =>
        jobs.Create<BenchmarkJob>(job => job.StartAllAsync(runIds, CancellationToken.None), new EnqueuedState(RunQueue.QueueName));
}

/// <summary>
/// Starts the chunks this instance's dispatcher committed, in process, <see cref="RunOptions.StartingChunks"/> at a
/// time: a chunk's starts reach its nodes without a Hangfire job's writes and pickup between them, which in a burst
/// of run ends waited for a worker up to a second. Chunks still waiting when the app stops, and any handed over after,
/// go to the Hangfire path. A run whose start was committed by an instance killed before the start reached its node
/// ends at its deadline, as any run whose node goes silent.
/// </summary>
public sealed class InProcessRunStarts(
    Func<BenchmarkJob> job,
    HangfireRunStarts fallback,
    IOptions<RunOptions> options,
    ILogger<InProcessRunStarts> logger) : BackgroundService, IRunStarts
{
    private readonly Channel<Guid[]> chunks = Channel.CreateUnbounded<Guid[]>();

    // Chunks handed over and not yet through their starts; zero means none is starting or waiting.
    private int outstanding;
    private volatile bool stopped;

    /// <summary>No chunk is starting or waiting to.</summary>
    public bool IsIdle => Volatile.Read(ref outstanding) == 0;

    public void Start(Guid[] runIds)
    {
        Interlocked.Increment(ref outstanding);
        if (stopped || !chunks.Writer.TryWrite(runIds))
        {
            Interlocked.Decrement(ref outstanding);
            Fallback(runIds);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = options.Value.StartingChunks };
        try
        {
            // A chunk once begun is seen through (each start is a second or less), so no run is left half-started.
            await Parallel.ForEachAsync(chunks.Reader.ReadAllAsync(stoppingToken), parallel, async (runIds, _) =>
            {
                try
                {
                    await job().StartAllAsync(runIds, CancellationToken.None);
                }
#pragma warning disable CA1031 // each run that could not start was ended and logged by the job; the loop goes on
                catch (Exception ex)
#pragma warning restore CA1031
                {
                    logger.LogDebug(ex, "Not every run of a chunk of {Count} started", runIds.Length);
                }
                finally
                {
                    Interlocked.Decrement(ref outstanding);
                }
            });
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // the app is stopping
        }
    }

    /// <summary>Once the starts under way are through, hands what still waits, and whatever comes later, to Hangfire.</summary>
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        stopped = true;
        chunks.Writer.TryComplete();
        while (chunks.Reader.TryRead(out var runIds))
        {
            Interlocked.Decrement(ref outstanding);
            Fallback(runIds);
        }
    }

    private void Fallback(Guid[] runIds)
    {
        try
        {
            fallback.Start(runIds);
        }
#pragma warning disable CA1031 // at shutdown the job storage may be gone: these runs end at their deadline
        catch (Exception ex)
#pragma warning restore CA1031
        {
            logger.LogWarning(ex, "Could not queue the start of {Count} runs as a Hangfire job", runIds.Length);
        }
    }
}
