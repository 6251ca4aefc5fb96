using Bunit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using VPNLens.Core.Nodes;
using VPNLens.Core.Runs;
using VPNLens.Tests.Browser;
using VPNLens.Tests.Infrastructure;
using VPNLens.Web.Components.Pages;
using VPNLens.Web.Nodes;

namespace VPNLens.Tests.Web.Components.Pages;

public sealed class NodesPageTests : MudTestContext, IAsyncLifetime
{
    private Node node = null!;

    public async ValueTask InitializeAsync()
    {
        await UseAppServicesAsync();
        Services.AddSingleton<NodeRemoval>();
        node = Seed.Node("edge-1");
        await Database.AddAsync(node);
    }

    ValueTask IAsyncDisposable.DisposeAsync() => DisposeAsync();

    [Fact]
    public async Task Deleting_a_node_that_runs_wait_for_asks_twice_then_cancels_them()
    {
        await Database.AddAsync(Seed.Run(node.Id, RunState.Queued));
        var page = Render<NodesPage>();
        page.WaitForElement("[data-testid=node-row][data-node=edge-1]");

        page.Find("[data-testid=delete-node]").Click();
        page.Find("[data-testid=confirm-delete]").Click();
        var second = page.WaitForElement("[data-testid=delete-confirm]").TextContent;
        Assert.Contains("1 queued run(s) wait for edge-1", second, StringComparison.Ordinal);
        Assert.Equal(1, await Database.WithDbAsync(db => db.Nodes.CountAsync()));

        page.Find("[data-testid=confirm-delete]").Click();

        page.WaitForAssertion(() => Assert.Empty(page.FindAll("[data-testid=node-row]")));
        Assert.Equal(0, await Database.WithDbAsync(db => db.Nodes.CountAsync()));
        Assert.Equal(RunState.Cancelled, (await Database.WithDbAsync(db => db.Runs.SingleAsync())).State);
    }

    [Fact]
    public async Task Keep_it_leaves_the_node_alone()
    {
        var page = Render<NodesPage>();
        page.WaitForElement("[data-testid=node-row]");

        page.Find("[data-testid=delete-node]").Click();
        page.Find("[data-testid=keep-node]").Click();

        Assert.Empty(page.FindAll("[data-testid=delete-confirm]"));
        Assert.Equal(1, await Database.WithDbAsync(db => db.Nodes.CountAsync()));
    }

    [Fact]
    public async Task Testing_a_node_keeps_the_tools_it_found_for_the_run_form()
    {
        var page = Render<NodesPage>();
        page.WaitForElement("[data-testid=node-row]");

        page.Find("[data-testid=test-node]").Click();

        await page.WaitForAssertionAsync(async () =>
        {
            var stored = await Database.WithDbAsync(db => db.Nodes.SingleAsync());
            Assert.NotNull(stored.ProbedAt);
            Assert.Contains("nebula", stored.ProbedTools!);
            Assert.DoesNotContain("openvpn", stored.ProbedTools!);
        });
    }
}
