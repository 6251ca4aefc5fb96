using VPNLens.Web.Components.Layout;

namespace VPNLens.Tests.Web.Components.Layout;

public sealed class ShowOffsetsTests
{
    private static readonly TimeSpan Window = TimeSpan.FromMilliseconds(250);

    [Fact]
    public void The_first_page_gets_no_offset()
    {
        Assert.Equal(TimeSpan.Zero, new ShowOffsets().Next(Window));
    }

    [Fact]
    public void A_hundred_pages_are_spread_over_the_whole_window()
    {
        var offsets = new ShowOffsets();

        var handed = Enumerable.Range(0, 100).Select(_ => offsets.Next(Window)).ToList();

        Assert.All(handed, o => Assert.InRange(o, TimeSpan.Zero, Window - TimeSpan.FromTicks(1)));
        Assert.Equal(100, handed.Distinct().Count());
        var perTenth = handed.GroupBy(o => (int)(o / Window * 10)).ToDictionary(g => g.Key, g => g.Count());
        Assert.All(Enumerable.Range(0, 10), tenth => Assert.InRange(perTenth.GetValueOrDefault(tenth), 8, 12));
    }
}
