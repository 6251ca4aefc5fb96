using System.Threading.Channels;
using VPNLens.Web.Runs;

namespace VPNLens.Web.Callbacks;

/// <summary>
/// Group commit for phase events: each request hands its signed event to a bounded queue and waits until the batch
/// that holds it is committed, so a 200 still means stored. One loop writes whatever has queued up meanwhile as one
/// batch (<see cref="PhaseBatchStore"/>): an event that arrives alone is written at once, and under load a batch's
/// reads, inserts and commit serve all of its events. A full queue makes the next requests wait (back pressure). A
/// batch that fails answers every member with the failure (the node posts again, with the same webhook-id); one
/// refused because another instance recorded one of its webhook-ids meanwhile is applied one event at a time.
/// </summary>
public sealed class PhaseBatchWriter(PhaseBatchStore store, CallbackIntake intake, RunEvents events, ILogger<PhaseBatchWriter> logger) : BackgroundService
{
    internal const int MaxBatch = 256;

    private readonly Channel<Pending> queue = Channel.CreateBounded<Pending>(new BoundedChannelOptions(4 * MaxBatch)
    {
        SingleReader = true,
        FullMode = BoundedChannelFullMode.Wait,
    });

    /// <summary>Queues the event and returns its outcome once its batch is stored (or has failed).</summary>
    public async Task<CallbackResult> SubmitAsync(Guid runId, SignedMessage message, CancellationToken cancellationToken)
    {
        var pending = new Pending(new PhaseSubmission(runId, message), new TaskCompletionSource<CallbackResult>(TaskCreationOptions.RunContinuationsAsynchronously));
        await queue.Writer.WriteAsync(pending, cancellationToken);
        return await pending.Done.Task.WaitAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batch = new List<Pending>(MaxBatch);
        try
        {
            while (await queue.Reader.WaitToReadAsync(stoppingToken))
            {
                while (batch.Count < MaxBatch && queue.Reader.TryRead(out var pending))
                {
                    batch.Add(pending);
                }

                await WriteAsync(batch, stoppingToken);
                batch.Clear();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // the app is stopping
        }
        finally
        {
            queue.Writer.TryComplete();
            while (queue.Reader.TryRead(out var pending))
            {
                batch.Add(pending);
            }

            batch.ForEach(p => p.Done.TrySetCanceled(stoppingToken));
        }
    }

    private async Task WriteAsync(List<Pending> batch, CancellationToken stoppingToken)
    {
        try
        {
            var outcomes = await store.TryWriteAsync([.. batch.Select(p => p.Submission)], stoppingToken);
            if (outcomes is null)
            {
                logger.LogInformation("A batch of {Count} phase events raced a redelivery; applying them one by one", batch.Count);
                foreach (var pending in batch)
                {
                    await ApplyAloneAsync(pending, stoppingToken);
                }

                return;
            }

            for (var i = 0; i < batch.Count; i++)
            {
                if (outcomes[i].Phase is { } phase)
                {
                    await events.PublishAsync(new PhaseRecorded(phase.RunId, phase));
                }

                batch[i].Done.TrySetResult(outcomes[i].Result);
            }
        }
#pragma warning disable CA1031 // whatever failed the batch is each member's answer (a 5xx); the loop goes on
        catch (Exception ex)
#pragma warning restore CA1031
        {
            logger.LogWarning(ex, "A batch of {Count} phase events was not stored", batch.Count);
            batch.ForEach(p => p.Done.TrySetException(ex));
        }
    }

    private async Task ApplyAloneAsync(Pending pending, CancellationToken stoppingToken)
    {
        try
        {
            pending.Done.TrySetResult(await intake.AcceptPhaseAsync(pending.Submission.RunId, pending.Submission.Message, stoppingToken));
        }
#pragma warning disable CA1031 // as for a batch: the failure is this event's answer
        catch (Exception ex)
#pragma warning restore CA1031
        {
            pending.Done.TrySetException(ex);
        }
    }

    private sealed record Pending(PhaseSubmission Submission, TaskCompletionSource<CallbackResult> Done);
}
