using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using VPNLens.Core.Phases;
using VPNLens.Core.Runs;
using VPNLens.Tests.Infrastructure;

namespace VPNLens.Tests.Lab;

/// <summary>A node script killed mid-run: the deadline frees the queue and the next run succeeds.</summary>
[Collection(AppCollection.Name)]
[Trait("Category", "Lab")]
public sealed class KilledScriptTests : LabAppTests
{
    // Long enough for the next run (direct and WireGuard, 18 phases each at the lab's short settings) to finish in it.
    protected override string Deadline => "00:02:30";

    [Fact]
    public async Task A_run_whose_script_is_killed_times_out_and_the_next_queued_run_still_succeeds()
    {
        var doomed = await QueueAsync("wireguard");
        var next = await QueueAsync("wireguard");
        var running = await WaitForAsync(doomed, r => r.RemotePid is not null, TimeSpan.FromSeconds(60));
        await WaitForAsync(doomed, _ => true, TimeSpan.Zero);
        var measuringWireguard = await App.WithDbAsync(async db =>
        {
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (!await db.PhaseEvents.AnyAsync(e => e.RunId == doomed && e.Protocol == "wireguard"))
            {
                if (DateTime.UtcNow >= deadline)
                {
                    return false;
                }

                await Task.Delay(200);
            }

            return true;
        });
        Assert.True(measuringWireguard, "the doomed run posted no wireguard phase event within 60 s, so killing it would test nothing");

        await ProcessRunner.RunAsync("kill", "-KILL", "--", $"-{running.RemotePid}");

        var timedOut = await WaitForEndAsync(doomed);
        var succeeded = await WaitForEndAsync(next);
        Assert.Equal(RunState.TimedOut, timedOut.State);
        Assert.True(succeeded.State == RunState.Succeeded, $"the next run ended {succeeded.State}: {succeeded.FailureReason}");
        Assert.True(succeeded.StartedAt >= timedOut.FinishedAt);
    }
}
