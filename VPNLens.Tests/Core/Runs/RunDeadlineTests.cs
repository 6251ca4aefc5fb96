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
    public void A_negative_allowance_is_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => RunDeadline.For(Base, TimeSpan.FromMinutes(-1), 3));
    }
}
