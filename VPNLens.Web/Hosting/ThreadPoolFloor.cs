namespace VPNLens.Web.Hosting;

/// <summary>
/// Raises the thread pool's floor of worker threads. Hangfire and its storages do their I/O synchronously (creating a
/// job inside a request or the dispatch loop, a worker's fetch and state changes), each holding a pool thread while
/// the store answers. When a burst of run ends blocks the few threads a small VM starts with, every callback's and
/// every start's continuation queues behind them, and the pool adds a thread only about every half second. Threads
/// up to the floor are created at once when work waits, and cost nothing while idle.
/// </summary>
public static class ThreadPoolFloor
{
    public const int WorkerThreads = 64;

    /// <summary>Raises the floor to <see cref="WorkerThreads"/>; a higher floor set for the process is kept.</summary>
    public static void Raise()
    {
        ThreadPool.GetMinThreads(out var workers, out var completionPorts);
        if (workers < WorkerThreads)
        {
            ThreadPool.SetMinThreads(WorkerThreads, completionPorts);
        }
    }
}
