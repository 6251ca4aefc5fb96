using VPNLens.Core.Statistics;

namespace VPNLens.Tests.Core.Statistics;

public sealed class ShiftIntervalTests
{
    // Tables of the Mann-Whitney test at two-sided 5 % (Hollander, Wolfe and Chicken, Table A.6): the depth is the
    // largest k with P(U < k) <= 2.5 %.
    [Theory]
    [InlineData(3, 3, 0)]
    [InlineData(3, 4, 0)]
    [InlineData(3, 5, 1)]
    [InlineData(4, 4, 1)]
    [InlineData(5, 5, 3)]
    [InlineData(6, 6, 6)]
    [InlineData(8, 8, 14)]
    public void Depth_matches_the_exact_tables(int m, int n, int depth) =>
        Assert.Equal(depth, ShiftInterval.Depth(m, n, 0.025));

    // Above 60 values U is nearly normal: mean m n / 2 = 5000, sd sqrt(m n (m + n + 1) / 12) = 409.3, so k ≈ 5000 - 1.96 sd.
    [Fact]
    public void Depth_of_large_samples_follows_the_normal_approximation() =>
        Assert.InRange(ShiftInterval.Depth(100, 100, 0.025), 4190, 4205);

    [Fact]
    public void The_interval_is_the_kth_smallest_and_largest_pairwise_difference()
    {
        // 5 against 5, k = 3: the 25 differences of {10..14} - {0..4} are 6..14; the 3rd smallest is 7, the 3rd largest 13.
        var interval = ShiftInterval.For([10, 11, 12, 13, 14], [0, 1, 2, 3, 4], 0.95);

        Assert.Equal((7, 13), interval);
    }

    [Fact]
    public void Too_few_values_give_no_interval() =>
        Assert.Null(ShiftInterval.For([1, 2, 3], [4, 5, 6], 0.95));
}
