using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using VPNLens.Core.Nodes;
using VPNLens.Tests.Infrastructure;
using VPNLens.Web.Components.Pages;
using VPNLens.Web.History;

namespace VPNLens.Tests.Web.Components.Pages;

public sealed class HistoryPageTests : MudTestContext, IAsyncLifetime
{
    private Node node = null!;

    public async ValueTask InitializeAsync()
    {
        await UseAppServicesAsync();
        Services.AddSingleton<SeriesReader>();
        Services.AddMemoryCache();
        Services.AddSingleton<SeriesChangePoints>();
        Services.AddSingleton<NodeHistory>();
        node = Seed.Node("node1");
        await Database.AddAsync(node);
    }

    ValueTask IAsyncDisposable.DisposeAsync() => DisposeAsync();

    [Fact]
    public void An_unknown_node_is_not_found()
    {
        var page = Render<HistoryPage>(p => p.Add(x => x.NodeId, Guid.NewGuid()));

        Assert.Contains("no node at this address", page.Find("[data-testid=not-found]").TextContent, StringComparison.Ordinal);
        Assert.Empty(page.FindAll("[data-testid=trend-chart]"));
    }

    [Fact]
    public void A_node_without_runs_says_how_to_get_a_history()
    {
        var page = Render<HistoryPage>(p => p.Add(x => x.NodeId, node.Id));

        Assert.Contains("No finished runs of this node in the last 30 days", page.Find("[data-testid=history-empty]").TextContent, StringComparison.Ordinal);
        Assert.Empty(page.FindAll("[data-testid=trend-chart]"));
        Assert.Empty(page.FindAll("[data-testid=not-found]"));
    }

    [Fact]
    public async Task A_step_in_the_series_is_drawn_as_a_change_point_and_every_run_is_in_the_table()
    {
        double?[] downloads = [100, 98, 102, 101, 99, 100, 97, 103, 60, 61, 59, 62, 58, 60, null];
        await Database.AddAsync([.. HistorySeed.Daily(node.Id, DateTimeOffset.UtcNow.AddHours(-1), downloads)]);

        var page = Render<HistoryPage>(p => p.Add(x => x.NodeId, node.Id));

        var download = page.Find("[data-testid=trend-chart][data-metric=tcp_download]");
        Assert.Equal("1", download.GetAttribute("data-changes"));
        Assert.Equal("1000", download.GetAttribute("data-y-max"));
        Assert.Equal(downloads.Length * 2, page.FindAll("[data-testid=history-row]").Count);
        Assert.Equal(2, page.FindAll("[data-testid=history-row][data-succeeded=false]").Count);
        Assert.Contains(
            $"/api/history?node={node.Id}&protocol=wireguard&metric=tcp_download&format=csv",
            page.FindAll("[data-testid=history-csv]").Select(a => a.GetAttribute("href")!).Select(h => h.Split("&from=")[0]));
    }

    [Fact]
    public async Task A_protocol_filter_and_a_shorter_range_show_only_those_runs()
    {
        await Database.AddAsync([.. HistorySeed.Daily(node.Id, DateTimeOffset.UtcNow.AddHours(-1), 100, 101, 99, 100, 98, 102, 100, 101, 99, 100)]);

        Services.GetRequiredService<NavigationManager>().NavigateTo($"/history/{node.Id}?protocol=wireguard&range=7");
        var page = Render<HistoryPage>(p => p.Add(x => x.NodeId, node.Id));

        var rows = page.FindAll("[data-testid=history-row]");
        Assert.Equal(7, rows.Count);
        Assert.All(rows, r => Assert.Equal("wireguard", r.GetAttribute("data-protocol")));
        Assert.Equal("page", page.Find("[data-testid=range][data-range='7']").GetAttribute("aria-current"));
    }
}
