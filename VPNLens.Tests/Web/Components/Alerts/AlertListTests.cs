using Bunit;
using Microsoft.Extensions.DependencyInjection;
using VPNLens.Core.Nodes;
using VPNLens.Core.Regressions;
using VPNLens.Tests.Infrastructure;
using VPNLens.Web.Alerts;
using VPNLens.Web.Components.Alerts;

namespace VPNLens.Tests.Web.Components.Alerts;

public sealed class AlertListTests : MudTestContext, IAsyncLifetime
{
    private Node node = null!;

    public async ValueTask InitializeAsync()
    {
        await UseAppServicesAsync();
        Services.AddSingleton<AlertBoard>();
        node = Seed.Node("lab-node1");
        await Database.AddAsync(node);
    }

    ValueTask IAsyncDisposable.DisposeAsync() => DisposeAsync();

    [Fact]
    public void Without_alerts_it_says_nothing_is_open()
    {
        var list = Render<AlertList>();

        Assert.NotNull(list.Find("[data-testid=alerts-none-open]"));
        Assert.Empty(list.FindAll("[data-testid=alert]"));
    }

    [Fact]
    public async Task Open_alerts_come_first_with_their_evidence_and_recovered_ones_below()
    {
        var now = DateTimeOffset.UtcNow;
        var recovered = Regression(now.AddDays(-20), "nebula");
        recovered.RecoveredAt = now.AddDays(-10);
        var open = Regression(now.AddDays(-2), "wireguard");
        var failing = new Alert { Kind = AlertKind.RunFailed, NodeId = node.Id, OpenedAt = now.AddHours(-1), OpenedByRunId = Guid.NewGuid(), Reason = "The node did not answer over SSH." };
        await Database.AddAsync(recovered, open, failing);

        var list = Render<AlertList>();

        var alerts = list.FindAll("[data-testid=alert]");
        Assert.Equal(["true", "true", "false"], alerts.Select(a => a.GetAttribute("data-open")));
        Assert.Equal(["runfailed", "regression", "regression"], alerts.Select(a => a.GetAttribute("data-kind")));
        Assert.Contains("The node did not answer over SSH.", alerts[0].TextContent, StringComparison.Ordinal);
        var shift = alerts[1].QuerySelector("[data-testid=alert-shift]")!.TextContent;
        Assert.Contains("100 → 80 Mbit/s (-20 %)", shift, StringComparison.Ordinal);
        Assert.Contains("95 % interval -25 to -15 Mbit/s", shift, StringComparison.Ordinal);
        Assert.Contains("WireGuard · TCP download got worse", alerts[1].TextContent, StringComparison.Ordinal);
        Assert.Equal($"/history/{node.Id}?range=7&protocol=wireguard#tcp_download", alerts[1].QuerySelector("[data-testid=alert-history]")!.GetAttribute("href"));
        Assert.Equal($"/history/{node.Id}?range=30&protocol=nebula#tcp_download", alerts[2].QuerySelector("[data-testid=alert-history]")!.GetAttribute("href"));
    }

    private Alert Regression(DateTimeOffset changeAt, string protocol) => new()
    {
        Kind = AlertKind.Regression,
        NodeId = node.Id,
        Protocol = protocol,
        Metric = TrackedMetric.TcpDownload.Key,
        ChangeAt = changeAt,
        OpenedAt = changeAt.AddHours(3),
        OpenedByRunId = Guid.NewGuid(),
        Before = 100e6,
        After = 80e6,
        ShiftLow = -25e6,
        ShiftHigh = -15e6,
        PValue = 0.005,
    };
}
