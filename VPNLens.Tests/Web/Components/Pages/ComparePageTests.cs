using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using VPNLens.Core.Runs;
using VPNLens.Tests.Infrastructure;
using VPNLens.Web.Components.Pages;

namespace VPNLens.Tests.Web.Components.Pages;

public sealed class ComparePageTests : MudTestContext, IAsyncLifetime
{
    private Run before = null!;
    private Run after = null!;
    private Run unfinished = null!;

    public async ValueTask InitializeAsync()
    {
        await UseAppServicesAsync();
        var node = Seed.Node("node1");
        before = Finished(node, Fixtures.FourProtocols());
        after = Finished(node, Fixtures.FourProtocolsScaled("wireguard", "tcpUpload", 1.1));
        unfinished = Seed.Run(node.Id, RunState.Running);
        await Database.AddAsync(node, before, after, unfinished);
    }

    ValueTask IAsyncDisposable.DisposeAsync() => DisposeAsync();

    [Fact]
    public void Two_runs_side_by_side_show_each_figure_and_the_change()
    {
        var page = RenderCompare(before.PublicToken, after.PublicToken);

        var upload = page.Find("[data-testid=compare-protocol][data-protocol=wireguard] tr[data-metric=tcp_upload]");
        var cells = upload.QuerySelectorAll("td").Select(c => c.TextContent.Trim()).ToList();
        Assert.Equal(["TCP upload", "812 Mbit/s", "894 Mbit/s", "+10.0 % (95 % CI +8.08 % to +12.0 %)"], cells);
        Assert.Contains("vl-share-good", upload.QuerySelectorAll("td")[3].ClassList);
        var direct = page.Find("[data-testid=compare-protocol][data-protocol=direct] tr[data-metric=tcp_upload]");
        Assert.StartsWith("within noise (0 %, 95 % CI", direct.QuerySelectorAll("td")[3].TextContent.Trim(), StringComparison.Ordinal);
        Assert.DoesNotContain(direct.QuerySelectorAll("td")[3].ClassList, c => c.StartsWith("vl-share", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_run_past_retention_compares_the_same_and_says_its_per_second_samples_were_removed()
    {
        var node = Seed.Node("node2");
        var thinned = Finished(node, VPNLens.Core.Retention.RawSamples.RemoveFromResults(after.ResultsJson!, DateTimeOffset.Parse("2026-11-05T08:00:00Z", System.Globalization.CultureInfo.InvariantCulture)));
        await Database.AddAsync(node, thinned);
        var page = RenderCompare(before.PublicToken, thinned.PublicToken);

        var upload = page.Find("[data-testid=compare-protocol][data-protocol=wireguard] tr[data-metric=tcp_upload]");
        Assert.Equal("+10.0 % (95 % CI +8.08 % to +12.0 %)", upload.QuerySelectorAll("td")[3].TextContent.Trim());
        Assert.Contains("Per-second samples removed on 2026-11-05", page.Find("[data-side=B] [data-testid=samples-removed]").TextContent, StringComparison.Ordinal);
        Assert.Empty(page.FindAll("[data-side=A] [data-testid=samples-removed]"));
    }

    [Fact]
    public void A_run_without_results_is_named_instead_of_compared()
    {
        var page = RenderCompare(before.PublicToken, unfinished.PublicToken);

        Assert.Equal("Run B on node1 has no results yet (running).", page.Find("[data-testid=compare-problem]").TextContent.Trim());
    }

    private IRenderedComponent<ComparePage> RenderCompare(string a, string b)
    {
        Services.GetRequiredService<NavigationManager>().NavigateTo($"/compare?a={a}&b={b}");
        return Render<ComparePage>();
    }

    private static Run Finished(VPNLens.Core.Nodes.Node node, string results)
    {
        var run = Seed.Run(node.Id, RunState.Succeeded, protocols: ["wireguard", "tailscale", "nebula"]);
        run.ResultsJson = results;
        run.FinishedAt = DateTimeOffset.UtcNow;
        return run;
    }
}
