using VPNLens.Core.Verdicts;
using static VPNLens.Tests.Core.Verdicts.Reports;

namespace VPNLens.Tests.Core.Verdicts;

public sealed class NoiseCheckTests
{
    [Fact]
    public void A_steady_run_is_not_noisy()
    {
        var noise = NoiseCheck.Of(Run(Protocol("direct", uploadMbps: [900, 905, 910], rttMs: [0.2, 0.3])), 5);

        Assert.False(noise.IsNoisy);
        Assert.Empty(noise.Reasons);
    }

    [Fact]
    public void Repetitions_that_never_settled_are_named()
    {
        var noise = NoiseCheck.Of(Run(Protocol("wireguard", uploadMbps: [500, 900, 700, 650, 880, 520])), 5);

        Assert.True(noise.IsNoisy);
        Assert.Equal("noisy: treat with care", noise.Label);
        Assert.StartsWith("WireGuard TCP upload still varied 25 % over 6 repetitions", Assert.Single(noise.Reasons), StringComparison.Ordinal);
    }

    [Fact]
    public void Loss_on_direct_is_named()
    {
        var noise = NoiseCheck.Of(Run(Protocol("direct", rttMs: [0.2, 0.3], pingsLost: 2, udpLossPercent: [3, 4, 5])), 5);

        Assert.Equal(2, noise.Reasons.Count);
        Assert.Contains("direct (no VPN) lost 2 of 4 pings", noise.Reasons[0], StringComparison.Ordinal);
        Assert.Contains("lost 4.00 % of UDP", noise.Reasons[1], StringComparison.Ordinal);
    }

    [Fact]
    public void A_busy_node_is_named_from_its_load_and_steal()
    {
        const string environment = """
            {"cpuCores": 2,
             "nodeLoadBefore": {"load1": 0.4, "load5": 0.3, "load15": 0.2, "cpuTicks": 10000, "stealTicks": 100},
             "nodeLoadAfter": {"load1": 3.5, "load5": 1.0, "load15": 0.5, "cpuTicks": 20000, "stealTicks": 1100}}
            """;

        var noise = NoiseCheck.Of(Run(environment, Protocol("direct", uploadMbps: [900, 905])), 5);

        Assert.Equal(
            ["the node's load average was 3.50 on 2 cores after the run", "the hypervisor stole 10 % of the node's CPU during the run"],
            noise.Reasons);
    }

    [Fact]
    public void Readings_missing_from_older_nodes_flag_nothing()
    {
        var noise = NoiseCheck.Of(Run("""{"cpuCores": 2}""", Protocol("direct", uploadMbps: [900, 905])), 5);

        Assert.False(noise.IsNoisy);
    }
}
