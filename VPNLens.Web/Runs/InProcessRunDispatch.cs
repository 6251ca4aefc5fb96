using System.Threading.Channels;

namespace VPNLens.Web.Runs;

/// <summary>
/// This instance's dispatcher, woken in process: a request (a run ended, a run was queued, a lease expired) wakes
/// one loop that runs a dispatch round at once, and requests that arrive during a round coalesce into one more
/// round after it, so a freed lease is acted on within one round's time instead of after a Hangfire job's
/// polling, and a burst of run ends costs a few rounds rather than one job each. The rounds are
/// <see cref="RunDispatcher"/>'s, so the rules stay its own: queue order per resource, the unique lease rows
/// between two dispatchers (this one, another instance's, a Hangfire job). A round that fails, or a request
/// after the loop has stopped, is handed to the durable Hangfire path.
/// </summary>
public sealed class InProcessRunDispatch(
    Func<RunDispatcher> dispatcher,
    HangfireRunDispatchRequests fallback,
    ILogger<InProcessRunDispatch> logger) : BackgroundService, IRunDispatchRequests
{
    // One pending wake-up at most: a request while one waits is already covered by that round.
    private readonly Channel<bool> wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.Wait });

    // Wake-ups written and not yet through their round; zero means no round is running or due.
    private int outstanding;
    private volatile bool stopped;

    /// <summary>No round is running and none is due.</summary>
    public bool IsIdle => Volatile.Read(ref outstanding) == 0;

    public void Request()
    {
        if (stopped)
        {
            Fallback();
            return;
        }

        Interlocked.Increment(ref outstanding);
        if (!wake.Writer.TryWrite(true))
        {
            Interlocked.Decrement(ref outstanding);
            if (stopped)
            {
                // The loop stopped (and closed the channel) between the check above and the write.
                Fallback();
            }
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interrupted = false;
        try
        {
            await foreach (var _ in wake.Reader.ReadAllAsync(stoppingToken))
            {
                try
                {
                    interrupted = true;
                    await dispatcher().DispatchAsync(stoppingToken);
                    interrupted = false;
                }
#pragma warning disable CA1031 // whatever failed the round, the durable path runs it again; the loop goes on
                catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
#pragma warning restore CA1031
                {
                    interrupted = false;
                    logger.LogWarning(ex, "A dispatch round failed in process; queueing it as a Hangfire job");
                    Fallback();
                }
                finally
                {
                    Interlocked.Decrement(ref outstanding);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // the app is stopping
        }
        finally
        {
            // Whatever was due or cut short goes to the durable path; later requests go there directly.
            stopped = true;
            wake.Writer.TryComplete();
            var due = wake.Reader.TryRead(out _);
            if (due)
            {
                Interlocked.Decrement(ref outstanding);
            }

            if (due || interrupted)
            {
                Fallback();
            }
        }
    }

    private void Fallback()
    {
        try
        {
            fallback.Request();
        }
#pragma warning disable CA1031 // at shutdown the job storage may be gone: the next start's recovery dispatches then
        catch (Exception ex)
#pragma warning restore CA1031
        {
            logger.LogWarning(ex, "Could not queue a dispatch round as a Hangfire job");
        }
    }
}
