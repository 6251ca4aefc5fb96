using Bunit;
using VPNLens.Core.Verdicts;
using VPNLens.Tests.Core.Verdicts;
using VPNLens.Tests.Infrastructure;
using VPNLens.Web.Components.Figures;
using VPNLens.Web.Figures;

namespace VPNLens.Tests.Web.Components.Figures;

public sealed class VerdictPanelTests : MudTestContext
{
    [Fact]
    public void Each_metric_ranks_the_vpns_and_says_what_separates_them()
    {
        var results = ResultsView.From(Fixtures.FourProtocols())!;

        var panel = Render<VerdictPanel>(p => p.Add(x => x.Verdict, results.Verdict).Add(x => x.Scale, results.RateScale));

        var upload = panel.Find("[data-testid=verdict-metric][data-metric=tcp_upload]");
        Assert.Contains("higher is better", upload.TextContent, StringComparison.Ordinal);
        Assert.Equal(["wireguard", "nebula"], upload.QuerySelectorAll("li").Select(li => li.GetAttribute("data-protocol")));
        Assert.Contains("86.4 % of direct", upload.QuerySelector("li")!.TextContent, StringComparison.Ordinal);
        var gap = upload.QuerySelector("[data-testid=verdict-gap]")!;
        Assert.Equal("different", gap.GetAttribute("data-call"));
        Assert.StartsWith("WireGuard 34.8 % faster than Nebula (95 % CI ", gap.TextContent, StringComparison.Ordinal);
        Assert.Contains("lower is better", panel.Find("[data-metric=latency_idle_p50]").TextContent, StringComparison.Ordinal);
        Assert.Equal("false", panel.Find("[data-testid=verdict]").GetAttribute("data-noisy"));
        Assert.Empty(panel.FindAll("[data-testid=noise]"));
    }

    [Fact]
    public void A_noisy_run_says_so_with_its_reasons()
    {
        var verdict = RunVerdicts.From(Reports.Run(Reports.Protocol("wireguard", uploadMbps: [500, 900, 700])));

        var panel = Render<VerdictPanel>(p => p.Add(x => x.Verdict, verdict));

        Assert.Equal("true", panel.Find("[data-testid=verdict]").GetAttribute("data-noisy"));
        Assert.Contains("Noisy: treat with care.", panel.Find("[data-testid=noise]").TextContent, StringComparison.Ordinal);
        Assert.Contains("WireGuard TCP upload still varied", panel.Find("[data-testid=noise-reasons] li").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void One_repetition_is_shown_without_an_interval()
    {
        var verdict = RunVerdicts.From(Reports.Run(Reports.Protocol("wireguard", uploadMbps: [900]), Reports.Protocol("nebula", uploadMbps: [600])));

        var panel = Render<VerdictPanel>(p => p.Add(x => x.Verdict, verdict));

        var gap = panel.Find("[data-metric=tcp_upload] [data-testid=verdict-gap]");
        Assert.Equal("no_confidence", gap.GetAttribute("data-call"));
        Assert.Contains("no confidence can be given", gap.TextContent, StringComparison.Ordinal);
        Assert.DoesNotContain("CI", gap.TextContent, StringComparison.Ordinal);
    }
}
