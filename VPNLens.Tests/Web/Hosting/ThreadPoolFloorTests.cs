using VPNLens.Tests.Infrastructure;
using VPNLens.Web.Hosting;

namespace VPNLens.Tests.Web.Hosting;

[Collection(AppCollection.Name)]
public sealed class ThreadPoolFloorTests
{
    [Fact]
    public async Task Starting_the_app_raises_the_thread_pool_s_floor_of_worker_threads()
    {
        await using var app = new VpnLensApp();
        using var client = app.CreateClient();

        ThreadPool.GetMinThreads(out var workers, out _);

        Assert.True(workers >= ThreadPoolFloor.WorkerThreads, $"the pool's floor is {workers} worker threads");
    }

    [Fact]
    public void A_higher_floor_set_for_the_process_is_kept()
    {
        ThreadPool.GetMinThreads(out var workers, out var completionPorts);
        try
        {
            ThreadPool.SetMinThreads(ThreadPoolFloor.WorkerThreads * 2, completionPorts);

            ThreadPoolFloor.Raise();

            ThreadPool.GetMinThreads(out var raised, out _);
            Assert.Equal(ThreadPoolFloor.WorkerThreads * 2, raised);
        }
        finally
        {
            ThreadPool.SetMinThreads(workers, completionPorts);
        }
    }
}
