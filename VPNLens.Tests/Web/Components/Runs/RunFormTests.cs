using Bunit;
using Microsoft.EntityFrameworkCore;
using VPNLens.Core.Nodes;
using VPNLens.Core.Runs;
using VPNLens.Tests.Infrastructure;
using VPNLens.Web.Components.Runs;
using VPNLens.Web.Runs;

namespace VPNLens.Tests.Web.Components.Runs;

public sealed class RunFormTests : MudTestContext, IAsyncLifetime
{
    private Node node1 = null!;
    private Node node2 = null!;

    public async ValueTask InitializeAsync()
    {
        await UseAppServicesAsync();
        node1 = Seed.Node("node1");
        node2 = Seed.Node("node2", host: "127.0.0.2");
        await Database.AddAsync(node1, node2);
    }

    ValueTask IAsyncDisposable.DisposeAsync() => DisposeAsync();

    [Fact]
    public async Task No_protocol_and_a_bad_email_show_both_errors_and_queue_nothing()
    {
        var form = Render<RunForm>(p => p.Add(x => x.Nodes, [node1]).Add(x => x.DefaultEmail, "not-an-email"));

        Toggle(form, Protocols.WireGuard);
        form.Find("[data-testid=queue-run]").Click();

        Assert.Contains("Choose at least one of", form.Find("[data-testid=protocols-error]").TextContent, StringComparison.Ordinal);
        Assert.Contains("email must be a valid address.", form.Markup, StringComparison.Ordinal);
        Assert.Empty(form.FindAll("[data-testid=queued]"));
        Assert.Equal(0, Dispatches.Requests);
        Assert.Equal(0, await Database.WithDbAsync(db => db.Runs.CountAsync()));
    }

    [Fact]
    public void With_two_nodes_and_none_chosen_it_asks_for_a_node()
    {
        var form = Render<RunForm>(p => p.Add(x => x.Nodes, [node1, node2]).Add(x => x.DefaultEmail, "ops@example.com"));

        form.Find("[data-testid=queue-run]").Click();

        Assert.Contains("Choose the node to benchmark.", form.Markup, StringComparison.Ordinal);
        Assert.Equal(0, Dispatches.Requests);
    }

    [Fact]
    public async Task A_valid_request_is_queued_at_once_with_its_position()
    {
        await Database.AddAsync(Seed.Run(node1.Id, RunState.Queued));
        QueuedRun? announced = null;
        var form = Render<RunForm>(p => p
            .Add(x => x.Nodes, [node1])
            .Add(x => x.DefaultEmail, "ops@example.com")
            .Add(x => x.OnQueued, queued => announced = queued));

        Toggle(form, Protocols.Nebula);
        form.Find("[data-testid=queue-run]").Click();

        var queued = form.WaitForElement("[data-testid=queued]");
        Assert.Contains("Queued at position 2.", queued.TextContent, StringComparison.Ordinal);
        Assert.NotNull(announced);
        Assert.Equal($"/runs/{announced.Run.Id}", form.Find("[data-testid=follow-run]").GetAttribute("href"));
        var stored = await Database.WithDbAsync(db => db.Runs.SingleAsync(r => r.Id == announced.Run.Id));
        Assert.Equal((RunState.Queued, node1.Id, "ops@example.com"), (stored.State, stored.NodeId, stored.RequesterEmail));
        Assert.Equal(["direct", "wireguard", "nebula"], stored.Protocols);
        Assert.Equal(1, Dispatches.Requests);
    }

    [Fact]
    public async Task Settings_out_of_range_are_named_on_their_fields_and_nothing_is_queued()
    {
        var form = Render<RunForm>(p => p.Add(x => x.Nodes, [node1]).Add(x => x.DefaultEmail, "ops@example.com"));
        OpenSettings(form);

        form.Find("input[data-testid=setting-repeats]").Change("0");
        form.Find("input[data-testid=setting-maxRepeats]").Change("2");
        form.Find("[data-testid=queue-run]").Click();

        Assert.Equal("true", form.Find("input[data-testid=setting-repeats]").GetAttribute("aria-invalid"));
        Assert.Contains("Repeats must be between 1 and 20", form.Markup, StringComparison.Ordinal);
        Assert.Contains("Fix the settings", form.Find("[data-testid=run-estimate]").TextContent, StringComparison.Ordinal);
        Assert.Equal(0, await Database.WithDbAsync(db => db.Runs.CountAsync()));
    }

    [Fact]
    public async Task An_ip_version_other_than_4_or_6_is_named_on_its_field_and_nothing_is_queued()
    {
        var form = Render<RunForm>(p => p.Add(x => x.Nodes, [node1]).Add(x => x.DefaultEmail, "ops@example.com"));
        OpenSettings(form);

        form.Find("input[data-testid=setting-ipVersion]").Change("5");
        form.Find("[data-testid=queue-run]").Click();

        Assert.Equal("true", form.Find("input[data-testid=setting-ipVersion]").GetAttribute("aria-invalid"));
        Assert.Contains("IP version (4 or 6) must be 4 or 6.", form.Markup, StringComparison.Ordinal);
        Assert.Equal(0, await Database.WithDbAsync(db => db.Runs.CountAsync()));
    }

    [Fact]
    public async Task Ipv6_for_a_node_whose_last_probe_found_it_off_is_refused_on_the_field_saying_why()
    {
        node1.ProbedAt = new DateTimeOffset(2026, 12, 1, 10, 0, 0, TimeSpan.Zero);
        node1.ProbedIpv6 = false;
        await Database.WithDbAsync(async db =>
        {
            var stored = await db.Nodes.SingleAsync(n => n.Id == node1.Id);
            stored.ProbedAt = node1.ProbedAt;
            stored.ProbedIpv6 = false;
            await db.SaveChangesAsync();
        });
        var form = Render<RunForm>(p => p.Add(x => x.Nodes, [node1]).Add(x => x.DefaultEmail, "ops@example.com"));
        OpenSettings(form);

        form.Find("input[data-testid=setting-ipVersion]").Change("6");
        form.Find("[data-testid=queue-run]").Click();

        form.WaitForAssertion(() => Assert.Contains("IP version (4 or 6) is 6 but the node", form.Markup, StringComparison.Ordinal));
        Assert.Equal("true", form.Find("input[data-testid=setting-ipVersion]").GetAttribute("aria-invalid"));
        Assert.Equal(0, await Database.WithDbAsync(db => db.Runs.CountAsync()));
    }

    [Fact]
    public async Task Chosen_settings_change_the_estimate_and_go_with_the_run()
    {
        var form = Render<RunForm>(p => p.Add(x => x.Nodes, [node1]).Add(x => x.DefaultEmail, "ops@example.com"));
        var before = form.Find("[data-testid=run-estimate]").TextContent;
        OpenSettings(form);

        form.Find("input[data-testid=setting-tcpSeconds]").Change("60");
        var after = form.Find("[data-testid=run-estimate]").TextContent;
        form.Find("[data-testid=queue-run]").Click();
        form.WaitForElement("[data-testid=queued]");

        Assert.StartsWith("About ", before, StringComparison.Ordinal);
        Assert.NotEqual(before, after);
        var stored = await Database.WithDbAsync(db => db.Runs.SingleAsync());
        Assert.Equal(60, stored.Settings.TcpSeconds);
        Assert.Equal(new RunSettings().UdpSeconds, stored.Settings.UdpSeconds);
    }

    [Fact]
    public void Without_smtp_the_form_promises_no_email()
    {
        Smtp.Host = null;
        var form = Render<RunForm>(p => p.Add(x => x.Nodes, [node1]).Add(x => x.DefaultEmail, "ops@example.com"));

        form.Find("[data-testid=queue-run]").Click();

        Assert.Contains("Email is not configured", form.Find("[data-testid=run-form]").TextContent, StringComparison.Ordinal);
        var queued = form.WaitForElement("[data-testid=queued]").TextContent;
        Assert.Contains("email is not configured", queued, StringComparison.Ordinal);
        Assert.DoesNotContain("emailed", queued, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Protocols_the_nodes_last_test_found_no_tools_for_are_shown_disabled_with_what_is_missing()
    {
        node1.ProbedTools = ["bash", "curl", "jq", "openssl", "iperf3", "ping", "ip", "wg", "wg-quick", "nebula"];
        var form = Render<RunForm>(p => p.Add(x => x.Nodes, [node1]).Add(x => x.DefaultEmail, "ops@example.com"));

        Assert.True(form.Find("[data-testid=protocols] input[data-protocol=openvpn]").HasAttribute("disabled"));
        Assert.False(form.Find("[data-testid=protocols] input[data-protocol=nebula]").HasAttribute("disabled"));
        Assert.Contains("no openvpn", form.Find("[data-testid=protocol-unavailable][data-protocol=openvpn]").TextContent, StringComparison.Ordinal);
        Assert.Contains("no tailscale, tailscaled", form.Find("[data-testid=protocol-unavailable][data-protocol=tailscale]").TextContent, StringComparison.Ordinal);
        Assert.Contains("no charon-systemd, swanctl", form.Find("[data-testid=protocol-unavailable][data-protocol=ipsec]").TextContent, StringComparison.Ordinal);
        Assert.Empty(form.FindAll("[data-testid=protocol-unavailable][data-protocol=wireguard]"));

        form.Find("[data-testid=queue-run]").Click();
        form.WaitForElement("[data-testid=queued]");
        Assert.Equal(["direct", "wireguard"], (await Database.WithDbAsync(db => db.Runs.SingleAsync())).Protocols);
    }

    [Fact]
    public void A_node_never_tested_offers_every_protocol()
    {
        var form = Render<RunForm>(p => p.Add(x => x.Nodes, [node1]).Add(x => x.DefaultEmail, "ops@example.com"));

        Assert.Empty(form.FindAll("[data-testid=protocols] input[disabled]"));
    }

    private static void OpenSettings(IRenderedComponent<RunForm> form) =>
        form.Find("[data-testid=run-settings] .mud-expand-panel-header").Click();

    private static void Toggle(IRenderedComponent<RunForm> form, string protocol)
    {
        var box = form.Find($"[data-testid=protocols] input[data-protocol={protocol}]");
        box.Change(!box.HasAttribute("checked"));
    }
}
