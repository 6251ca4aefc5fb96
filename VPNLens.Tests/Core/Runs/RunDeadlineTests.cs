using VPNLens.Core.Runs;

namespace VPNLens.Tests.Core.Runs;

public sealed class RunDeadlineTests
{
    private static readonly TimeSpan Base = TimeSpan.FromMinutes(10);
    private static readonly TimeSpan PerExtra = TimeSpan.FromMinutes(4);

    [Theory]
    [InlineData(1, 10)]
    [InlineData(2, 10)]
    [InlineData(3, 14)]
    [InlineData(5, 22)]
    public void Each_protocol_after_direct_and_the_first_VPN_adds_its_allowance(int protocols, int minutes)
    {
        Assert.Equal(TimeSpan.FromMinutes(minutes), RunDeadline.For(Base, PerExtra, protocols));
    }

    [Fact]
    public void With_no_allowance_the_base_deadline_holds_for_any_run()
    {
        Assert.Equal(Base, RunDeadline.For(Base, TimeSpan.Zero, 5));
    }

    [Fact]
    public void Settings_that_may_take_longer_than_the_configured_deadline_get_half_again_their_longest_estimate()
    {
        // The product's defaults: a protocol may take 25 + 4 + 6 x (4 x 12 + 12) + 12 s = 401 s at six repeats.
        var defaults = new RunSettings();

        Assert.Equal(TimeSpan.FromSeconds(401 * 2 * 1.5), RunDeadline.For(Base, PerExtra, defaults, 2));
        Assert.Equal(TimeSpan.FromSeconds(401 * 5 * 1.5), RunDeadline.For(Base, PerExtra, defaults, 5));
    }

    [Fact]
    public void Settings_that_fit_the_configured_deadline_keep_it()
    {
        var short_ = new RunSettings { TcpSeconds = 2, UdpSeconds = 2, Repeats = 1, MaxRepeats = 1 };

        Assert.Equal(Base, RunDeadline.For(Base, PerExtra, short_, 2));
        Assert.Equal(TimeSpan.FromMinutes(22), RunDeadline.For(Base, PerExtra, short_, 5));
    }

    [Fact]
    public void A_negative_allowance_is_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => RunDeadline.For(Base, TimeSpan.FromMinutes(-1), 3));
    }
}
