using VPNLens.Core.Statistics;

namespace VPNLens.Tests.Core.Statistics;

public sealed class SignificantFiguresTests
{
    [Theory]
    [InlineData(0.68312, "0.683")]
    [InlineData(12.345, "12.3")]
    [InlineData(812.3, "812")]
    [InlineData(1234.5, "1230")]
    [InlineData(9.996, "10.0")]
    [InlineData(99.96, "100")]
    [InlineData(0.0004567, "0.000457")]
    [InlineData(-3.14159, "-3.14")]
    [InlineData(0, "0")]
    [InlineData(1, "1.00")]
    public void Three_significant_figures(double value, string expected) =>
        Assert.Equal(expected, SignificantFigures.Format(value));

    [Fact]
    public void Not_a_number_reads_as_nothing() => Assert.Equal("—", SignificantFigures.Format(double.NaN));
}
