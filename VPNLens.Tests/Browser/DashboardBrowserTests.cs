using System.Globalization;
using System.Net;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Playwright;
using VPNLens.Core.Phases;
using VPNLens.Core.Runs;
using VPNLens.Tests.Infrastructure;
using VPNLens.Web.Nodes;
using static Microsoft.Playwright.Assertions;

namespace VPNLens.Tests.Browser;

/// <summary>
/// The dashboard in a real browser (Debian's Chromium, headless) against the app on Kestrel: sign in, add and test a node,
/// queue a run, watch its phases arrive live, and open its permalink signed out. The test plays the node: SSH is replaced by
/// <see cref="FakeRemoteNodeClient"/> (only here), and the phases and results are posted as signed callbacks, exactly as run.sh posts them.
/// Screenshots go to artifacts/test-results/screenshots/.
/// </summary>
[Collection(AppCollection.Name)]
[Trait("Category", "Browser")]
public sealed class DashboardBrowserTests : IAsyncLifetime
{
    private static readonly string[] ChromiumArgs =
        ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];

    private readonly FakeRemoteNodeClient nodes = new();
    private readonly string screenshots = Path.Combine(Repository.Root, "artifacts", "test-results", "screenshots");
    private readonly string keyFile = Path.GetTempFileName();
    private VpnLensApp app = null!;
    private Uri baseAddress = null!;
    private HttpClient callbacks = null!;
    private IPlaywright playwright = null!;
    private IBrowser browser = null!;
    private DateTimeOffset clock = DateTimeOffset.UtcNow.AddMinutes(-10);

    public async ValueTask InitializeAsync()
    {
        baseAddress = new Uri($"http://127.0.0.1:{Sshd.FreePort()}/");
        app = new VpnLensApp(
            new Dictionary<string, string?>
            {
                ["App:PublicUrl"] = baseAddress.ToString(),
                ["Callbacks:BaseUrl"] = baseAddress.ToString(),
                ["Headscale:PreAuthKey"] = "hskey-test-0123456789",
            },
            services => services.Replace(ServiceDescriptor.Singleton<IRemoteNodeClient>(nodes)),
            kestrelUrl: baseAddress.ToString());
        app.StartServer();
        callbacks = new HttpClient { BaseAddress = baseAddress };
        Directory.CreateDirectory(screenshots);
        TestContext.Current.TestOutputHelper?.WriteLine($"Screenshots: {screenshots}");

        // Expectations poll until they hold; a busy build machine gets 15 s instead of 5 before one counts as failed.
        SetDefaultExpectTimeout(15_000);
        playwright = await Playwright.CreateAsync();
        browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = "/usr/bin/chromium", Headless = true, Args = ChromiumArgs });
    }

    public async ValueTask DisposeAsync()
    {
        await browser.DisposeAsync();
        playwright.Dispose();
        callbacks.Dispose();
        await app.DisposeAsync();
        File.Delete(keyFile);
    }

    [Fact]
    public async Task An_admin_queues_a_run_watches_its_phases_live_and_anyone_opens_its_permalink()
    {
        await using var admin = await browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1440, Height = 900 }, BaseURL = baseAddress.ToString() });
        var page = await admin.NewPageAsync();

        // Signing in: the dashboard sends a signed-out visitor to the sign-in page and back.
        await page.GotoAsync("/");
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/account/login"));
        await Screenshot(page, "00-sign-in");
        await page.FillAsync("#email", SignIn.AdminEmail);
        await page.FillAsync("#password", SignIn.AdminPassword);
        await page.ClickAsync("button[type=submit]");
        await Expect(page.Locator("h1")).ToHaveTextAsync("Dashboard");
        // The theme comes from its own stylesheet (/theme.css): the app bar wears VpnLensTheme's indigo.
        await Expect(page.Locator("header.mud-appbar")).ToHaveCSSAsync("background-color", "rgb(40, 53, 147)");
        await Screenshot(page, "01-dashboard-empty");

        // A node, added and tested on the Nodes page.
        await GoInteractiveAsync(page, "/nodes");
        await page.ClickAsync("[data-testid=add-node]");
        await FillAsync(page, "node-name", "lab-node1");
        await FillAsync(page, "node-host", "127.0.0.1");
        await FillAsync(page, "node-fingerprint", "SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU");
        await FillAsync(page, "node-key", keyFile);
        await page.ClickAsync("[data-testid=save-node]");
        var row = page.Locator("[data-testid=node-row][data-node=lab-node1]");
        await row.Locator("[data-testid=test-node]").ClickAsync();
        await Expect(row.Locator("[data-testid=probe-report]")).ToHaveAttributeAsync("data-reachable", "true");
        await Expect(row.Locator("[data-testid=protocol-readiness][data-protocol=openvpn]")).ToHaveAttributeAsync("data-ready", "false");
        await Screenshot(page, "02-nodes-tested");

        // Queue a run: the form answers at once with the place in the queue; what the test found missing is not offered.
        await GoInteractiveAsync(page, "/");
        await Expect(page.Locator("[data-testid=protocols] input[data-protocol=openvpn]")).ToBeDisabledAsync();
        await page.CheckAsync("[data-testid=protocols] input[data-protocol=tailscale]");
        await page.CheckAsync("[data-testid=protocols] input[data-protocol=nebula]");
        await page.ClickAsync("[data-testid=queue-run]");
        await Expect(page.Locator("[data-testid=queued]")).ToContainTextAsync("Queued at position 1.");
        await page.ClickAsync("[data-testid=follow-run]");
        await Expect(page.Locator("h1")).ToHaveTextAsync("Run on lab-node1");

        // The queue starts it on the (fake) node; the page sees it start without a reload.
        await Expect(page.Locator("[data-testid=run-state]")).ToHaveAttributeAsync("data-state", "running", new() { Timeout = 20_000 });
        var run = await app.WithDbAsync(db => db.Runs.AsNoTracking().SingleAsync());
        Assert.Equal(["direct", "wireguard", "tailscale", "nebula"], run.Protocols);

        // The run is Running once its leases are taken; the benchmark job reaches the node just after.
        for (var i = 0; i < 200 && nodes.Started.IsEmpty; i++)
        {
            await Task.Delay(100, TestContext.Current.CancellationToken);
        }

        Assert.Single(nodes.Started);

        // Anyone with the permalink follows the run live, signed out: a static page (no circuit) that its event stream
        // keeps up to date in place, without reloading it (the mark set on the loaded page stays).
        await using var visitor = await browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1440, Height = 900 }, BaseURL = baseAddress.ToString() });
        var permalink = await visitor.NewPageAsync();
        await permalink.GotoAsync($"/r/{run.PublicToken}");
        await Expect(permalink.Locator("[data-interactive]")).ToHaveAttributeAsync("data-interactive", "false");
        await Expect(permalink.Locator("[data-testid=live-status]")).ToContainTextAsync("This run is in progress.");
        await permalink.EvaluateAsync("() => { window.vlSameDocument = true; }");

        // The node's callbacks arrive one by one; each shows up on the open page as it lands.
        await PostPhaseAsync(run, "direct", Phase.StopEverything, 0.4);
        await ExpectPhase(page, "direct", Phase.StopEverything, "succeeded");
        await ExpectPhase(page, "direct", Phase.BringUp, "running");
        await PostProtocolAsync(run, "direct");
        await ExpectPhase(page, "direct", Phase.Recovery, "skipped");
        await ExpectPhase(page, "wireguard", Phase.StopEverything, "running");
        await PostProtocolAsync(run, "wireguard");
        await ExpectPhase(page, "wireguard", Phase.Teardown, "succeeded");

        // tailscale fails its ping rung: the rest of its phases are passed over, teardown still runs.
        foreach (var phase in new[] { Phase.StopEverything, Phase.BringUp, Phase.RungInterface, Phase.RungIp, Phase.RungRoute })
        {
            await PostPhaseAsync(run, "tailscale", phase, 0.8);
        }

        await PostPhaseAsync(run, "tailscale", Phase.RungPing, 30, "failed", "no reply from 100.64.0.1 within 30 s");
        await ExpectPhase(page, "tailscale", Phase.RungPing, "failed");
        await ExpectPhase(page, "tailscale", Phase.LatencyIdle, "notrun");
        await ExpectPhase(page, "tailscale", Phase.Teardown, "running");
        await PostPhaseAsync(run, "tailscale", Phase.Teardown, 1.1);
        foreach (var phase in Phase.InOrder.TakeWhile(p => p != Phase.TcpDownload))
        {
            await PostPhaseAsync(run, "nebula", phase, DurationOf(phase));
        }

        await ExpectPhase(page, "nebula", Phase.TcpDownload, "running");
        await Expect(page.Locator("[data-testid=failed-phase]")).ToContainTextAsync("no reply from 100.64.0.1 within 30 s");
        await Expect(permalink.Locator("[data-protocol=nebula] [data-phase=tcp_upload]")).ToHaveAttributeAsync("data-state", "succeeded");
        await Expect(permalink.Locator("[data-testid=live-announcer]")).ToContainTextAsync("now: Nebula");
        Assert.True(await permalink.EvaluateAsync<bool>("() => window.vlSameDocument === true"), "the live permalink reloaded instead of updating in place");
        Assert.Empty((await Axe.SeriousViolationsAsync(permalink)).ToList());
        await Screenshot(page, "03-live-run");

        foreach (var phase in Phase.InOrder.SkipWhile(p => p != Phase.TcpDownload))
        {
            await PostPhaseAsync(run, "nebula", phase, DurationOf(phase));
        }

        await PostResultsAsync(run);

        // Tailscale failed, so the run is Completed (not Succeeded), and the chip says so.
        await Expect(page.Locator("[data-testid=run-state]")).ToHaveAttributeAsync("data-state", "completed");
        await Expect(page.Locator("[data-testid=email-status]")).ToHaveAttributeAsync("data-status", "notconfigured");
        await Screenshot(page, "04-run-finished");

        // The signed-out permalink turned into the results by itself: it loaded the finished page when the run ended.
        await permalink.WaitForFunctionAsync("() => window.vlSameDocument === undefined");
        await Expect(permalink.Locator("[data-testid=headline]")).ToHaveCountAsync(4);
        await Expect(permalink.Locator("[data-testid=headline][data-protocol=wireguard] [data-metric=tcp_upload]")).ToHaveTextAsync("812 Mbit/s");
        await Expect(permalink.Locator("[data-testid=time-chart]")).ToHaveCountAsync(3);
        await ExpectChartDrawnAsync(permalink, "[data-testid=time-chart][data-protocol=wireguard] canvas");
        Assert.DoesNotContain(await visitor.CookiesAsync(), c => c.Name == "vpnlens.auth");
        await Screenshot(permalink, "05-results", fullPage: true);

        // The dashboard shows the node idle with its last result, and the run among the recent ones.
        await GoInteractiveAsync(page, "/");
        await Expect(page.Locator("[data-testid=node-card][data-node=lab-node1] [data-testid=node-state]")).ToHaveAttributeAsync("data-state", "idle");
        await Expect(page.Locator($"[data-testid=recent-run][data-run='{run.Id}'] [data-testid=run-state]")).ToHaveAttributeAsync("data-state", "completed");
        await Screenshot(page, "06-dashboard");

        // A later run of the same node, compared with this one.
        var later = new Run
        {
            PublicToken = PublicToken.Generate(),
            RequesterEmail = SignIn.AdminEmail,
            NodeId = run.NodeId,
            Protocols = run.Protocols,
            State = RunState.Succeeded,
            QueuedAt = DateTimeOffset.UtcNow,
            StartedAt = DateTimeOffset.UtcNow,
            FinishedAt = DateTimeOffset.UtcNow,
            CallbackSecret = VPNLens.Core.Webhooks.WebhookSecret.Generate(),
            ResultsJson = Fixtures.FourProtocolsScaled("wireguard", "tcpUpload", 1.1),
        };
        await app.WithDbAsync(async db =>
        {
            db.Runs.Add(later);
            await db.SaveChangesAsync();
        });
        await GoInteractiveAsync(permalink, $"/compare?a={run.PublicToken}&b={later.PublicToken}");
        await Expect(permalink.Locator("[data-testid=compare-protocol][data-protocol=wireguard] tr[data-metric=tcp_upload]")).ToContainTextAsync("+10.0 %");
        await Screenshot(permalink, "07-compare", fullPage: true);

        // Opened afresh, the finished run's permalink is a static page (no circuit) with the same figures, and its
        // compare form takes another run's whole permalink.
        await permalink.GotoAsync($"/r/{run.PublicToken}");
        await Expect(permalink.Locator("[data-testid=headline][data-protocol=wireguard] [data-metric=tcp_upload]")).ToHaveTextAsync("812 Mbit/s");
        await ExpectChartDrawnAsync(permalink, "[data-testid=time-chart][data-protocol=wireguard] canvas");
        await Expect(permalink.Locator("[data-interactive]")).ToHaveAttributeAsync("data-interactive", "false");
        await Screenshot(permalink, "08-results-static", fullPage: true);
        await permalink.FillAsync("[data-testid=compare-with]", new Uri(baseAddress, $"r/{later.PublicToken}/").ToString());
        await permalink.Locator("[data-testid=compare-form] button[type=submit]").ClickAsync();
        await Expect(permalink.Locator("[data-testid=compare-protocol][data-protocol=wireguard] tr[data-metric=tcp_upload]")).ToContainTextAsync("+10.0 %");

        using var csv = await callbacks.GetAsync(new Uri($"r/{run.PublicToken}/results.csv", UriKind.Relative), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, csv.StatusCode);
    }

    private static async Task GoInteractiveAsync(IPage page, string path)
    {
        await page.GotoAsync(path);
        await Expect(page.Locator("[data-interactive]")).ToHaveAttributeAsync("data-interactive", "true");
    }

    // Chart.js has drawn the canvas (wwwroot/js/charts.js keeps the chart on the element).
    private static async Task ExpectChartDrawnAsync(IPage page, string canvas) =>
        await page.WaitForFunctionAsync("selector => document.querySelector(selector)?.vlChart !== undefined", canvas);

    private static Task FillAsync(IPage page, string testId, string value) =>
        page.FillAsync($":is(input[data-testid={testId}], [data-testid={testId}] input)", value);

    private static Task ExpectPhase(IPage page, string protocol, string phase, string state) =>
        Expect(page.Locator($"[data-testid=protocol-phases][data-protocol={protocol}] [data-phase={phase}]")).ToHaveAttributeAsync("data-state", state);

    private async Task Screenshot(IPage page, string name, bool fullPage = false)
    {
        var path = Path.Combine(screenshots, name + ".png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = fullPage });
        TestContext.Current.TestOutputHelper?.WriteLine($"Saved {path}");
    }

    private async Task PostProtocolAsync(Run run, string protocol)
    {
        foreach (var phase in Phase.InOrder.Where(p => !(protocol == "direct" && p == Phase.StopEverything)))
        {
            var skipped = protocol == Protocols.Direct && phase == Phase.Recovery;
            await PostPhaseAsync(run, protocol, phase, skipped ? 0 : DurationOf(phase), skipped ? "skipped" : "succeeded", skipped ? "no VPN to recover" : null);
        }
    }

    private async Task PostPhaseAsync(Run run, string protocol, string phase, double seconds, string status = "succeeded", string? detail = null)
    {
        var started = clock;
        clock = clock.AddSeconds(seconds);
        var body = JsonSerializer.Serialize(new
        {
            protocol,
            phase,
            status,
            startedAt = started.ToString("O", CultureInfo.InvariantCulture),
            endedAt = clock.ToString("O", CultureInfo.InvariantCulture),
            detail = detail ?? DetailOf(protocol, phase),
        });
        using var response = await callbacks.SendAsync(SignedCallbacks.Request(run.Id, "phases", run.CallbackSecret, body), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private async Task PostResultsAsync(Run run)
    {
        using var response = await callbacks.SendAsync(SignedCallbacks.Request(run.Id, "results", run.CallbackSecret, Fixtures.FourProtocols()), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private static double DurationOf(string phase) => phase switch
    {
        Phase.TcpUpload or Phase.TcpDownload => 31.2,
        Phase.Udp => 10.4,
        Phase.LatencyIdle or Phase.LatencyLoaded => 4.1,
        Phase.Cpu => 20.6,
        Phase.BringUp => 1.2,
        Phase.RungPing => 1.18,
        Phase.Recovery => 1.45,
        _ => 0.05,
    };

    private static string? DetailOf(string protocol, string phase) => (protocol, phase) switch
    {
        ("wireguard", Phase.TcpUpload) => "median 812.3 Mbit/s over 3 runs",
        ("wireguard", Phase.TcpDownload) => "median 790.5 Mbit/s over 3 runs",
        ("nebula", Phase.TcpUpload) => "median 602.4 Mbit/s over 3 runs",
        (_, Phase.RungPing) => "first reply after 1.18 s",
        _ => null,
    };
}
