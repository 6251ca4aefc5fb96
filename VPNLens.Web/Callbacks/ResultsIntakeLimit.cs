using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;
using VPNLens.Web.Runs;

namespace VPNLens.Web.Callbacks;

/// <summary>
/// How many posted results one instance stores at once. Each is a transaction that holds a database connection; when
/// a thousand nodes end their runs in the same second, storing them all at once takes every pooled connection, so
/// their own transactions time out and dispatch cannot start the next runs. The rest wait their turn in order (in
/// memory, holding no connection); past the queue's limit a node is answered 503 with Retry-After and posts again,
/// as it does after any 5xx (docs/node-protocol.md).
/// </summary>
public sealed class ResultsIntakeLimit(IOptions<CallbackOptions> options) : IDisposable
{
    /// <summary>What a node is told to wait before posting again when the queue is full.</summary>
    public static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(5);

    private readonly ConcurrencyLimiter limiter = new(new ConcurrencyLimiterOptions
    {
        PermitLimit = options.Value.ResultsConcurrency,
        QueueLimit = options.Value.ResultsQueueLimit,
        QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
    });

    /// <summary>Waits for a turn; the lease is not acquired when the queue is full.</summary>
    public ValueTask<RateLimitLease> TurnAsync(CancellationToken cancellationToken) => limiter.AcquireAsync(1, cancellationToken);

    /// <summary>Turns taken and waiting (the tests wait on the queued count).</summary>
    internal RateLimiterStatistics? Statistics => limiter.GetStatistics();

    /// <summary>Takes a turn without waiting (tests fill the turns with it).</summary>
    internal RateLimitLease TryTurn() => limiter.AttemptAcquire(1);

    public void Dispose() => limiter.Dispose();
}
