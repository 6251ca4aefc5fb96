using VPNLens.Core.Runs;

namespace VPNLens.Tests.Core.Runs;

public sealed class RunDurationEstimateTests
{
    private static readonly RunSettings Settings = new()
    {
        TcpSeconds = 10,
        UdpSeconds = 5,
        OmitSeconds = 1,
        Repeats = 3,
        MaxRepeats = 6,
        PingCount = 20,
        PingIntervalSeconds = 0.5,
    };

    [Fact]
    public void Each_repeat_counts_the_four_tcp_tests_and_the_udp_test()
    {
        var estimate = RunDurationEstimate.For(Settings, protocolCount: 1);

        // 25 fixed + 10 pings + 3 x (4 x 12 tcp + 7 udp) + 12 loaded
        Assert.Equal(TimeSpan.FromSeconds(25 + 10 + (3 * ((4 * 12) + 7)) + 12), estimate.Typical);
        Assert.Equal(TimeSpan.FromSeconds(25 + 10 + (6 * ((4 * 12) + 7)) + 12), estimate.Longest);
    }

    [Fact]
    public void Protocols_add_up()
    {
        var one = RunDurationEstimate.For(Settings, 1);
        var three = RunDurationEstimate.For(Settings, 3);

        Assert.Equal(one.Typical * 3, three.Typical);
        Assert.Equal(one.Longest * 3, three.Longest);
    }
}
