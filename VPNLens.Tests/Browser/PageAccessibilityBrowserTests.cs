using Microsoft.Playwright;
using VPNLens.Core.Phases;
using VPNLens.Core.Regressions;
using VPNLens.Core.Runs;
using VPNLens.Core.Schedules;
using VPNLens.Core.Webhooks;
using VPNLens.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace VPNLens.Tests.Browser;

/// <summary>
/// Every page a person meets, on a desktop window and on a phone (390x844): axe-core finds nothing serious or critical,
/// the page does not scroll sideways, it has one main landmark and one h1. Screenshots go to artifacts/test-results/screenshots/.
/// </summary>
[Collection(AppCollection.Name)]
[Trait("Category", "Browser")]
public sealed class PageAccessibilityBrowserTests : IAsyncLifetime
{
    private static readonly string[] ChromiumArgs =
        ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];

    private readonly string screenshots = Path.Combine(Repository.Root, "artifacts", "test-results", "screenshots");
    private VpnLensApp app = null!;
    private Uri baseAddress = null!;
    private IPlaywright playwright = null!;
    private IBrowser browser = null!;
    private Run finished = null!;
    private Run later = null!;
    private Run running = null!;

    public static TheoryData<string, int, int> Windows => new() { { "desktop", 1400, 900 }, { "phone", 390, 844 } };

    public async ValueTask InitializeAsync()
    {
        baseAddress = new Uri($"http://127.0.0.1:{Sshd.FreePort()}/");
        app = new VpnLensApp(new Dictionary<string, string?> { ["App:PublicUrl"] = baseAddress.ToString() }, kestrelUrl: baseAddress.ToString());
        app.StartServer();
        await SeedAsync();
        Directory.CreateDirectory(screenshots);
        SetDefaultExpectTimeout(15_000);
        playwright = await Playwright.CreateAsync();
        browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = "/usr/bin/chromium", Headless = true, Args = ChromiumArgs });
    }

    public async ValueTask DisposeAsync()
    {
        await browser.DisposeAsync();
        playwright.Dispose();
        await app.DisposeAsync();
    }

    [Theory]
    [MemberData(nameof(Windows))]
    public async Task Every_page_is_accessible_and_fits_the_window(string name, int width, int height)
    {
        var failures = new List<string>();
        await using var visitor = await NewContextAsync(width, height);
        var page = await visitor.NewPageAsync();
        await CheckAsync(page, name, "sign-in", "/account/login", interactive: false, failures);
        await CheckAsync(page, name, "results", $"/r/{finished.PublicToken}", interactive: false, failures);
        await CheckAsync(page, name, "live-permalink", $"/r/{running.PublicToken}", interactive: false, failures);
        await CheckAsync(page, name, "compare", $"/compare?a={finished.PublicToken}&b={later.PublicToken}", interactive: true, failures);
        await CheckAsync(page, name, "not-found", "/no-such-page", interactive: false, failures);

        await using var admin = await NewContextAsync(width, height);
        var signedIn = await admin.NewPageAsync();
        await signedIn.GotoAsync("/account/login");
        await signedIn.FillAsync("#email", SignIn.AdminEmail);
        await signedIn.FillAsync("#password", SignIn.AdminPassword);
        await signedIn.ClickAsync("button[type=submit]");
        await Expect(signedIn.Locator("h1")).ToHaveTextAsync("Dashboard");
        await CheckAsync(signedIn, name, "dashboard", "/", interactive: true, failures);
        await CheckAsync(signedIn, name, "live-run", $"/runs/{running.Id}", interactive: true, failures);
        await CheckAsync(signedIn, name, "live-permalink-signed-in", $"/r/{running.PublicToken}", interactive: true, failures);
        await CheckAsync(signedIn, name, "nodes", "/nodes", interactive: true, failures);
        await CheckAsync(signedIn, name, "schedules", "/schedules", interactive: true, failures);
        await CheckAsync(signedIn, name, "history", $"/history/{finished.NodeId}", interactive: true, failures);
        await ExpectDrawnAsync(signedIn, name, "history", "[data-testid=trend-chart] canvas", failures);
        await CheckAsync(signedIn, name, "history-protocol", $"/history/{finished.NodeId}?protocol=wireguard&range=7", interactive: true, failures);
        await CheckAsync(signedIn, name, "dashboard-trends", "/", interactive: true, failures);
        await ExpectDrawnAsync(signedIn, name, "dashboard", "[data-testid=sparkline] canvas", failures);
        if ((await signedIn.GotoAsync($"/history/{Guid.NewGuid()}"))?.Status is not 404 and var status)
        {
            failures.Add($"{name} history of an unknown node: status {status}, not 404");
        }
        await CheckAsync(signedIn, name, "webhooks", "/admin/webhooks", interactive: true, failures);

        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));
    }

    private async Task CheckAsync(IPage page, string window, string name, string path, bool interactive, List<string> failures)
    {
        await page.GotoAsync(path);
        if (interactive)
        {
            await Expect(page.Locator("[data-interactive]")).ToHaveAttributeAsync("data-interactive", "true");
        }

        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(screenshots, $"a11y-{window}-{name}.png"), FullPage = true });
        failures.AddRange((await Axe.SeriousViolationsAsync(page)).Select(v => $"{window} {name}: {v}"));
        if (await Axe.SidewaysOverflowAsync(page) is > 0 and var overflow)
        {
            failures.Add($"{window} {name}: the page scrolls sideways by {overflow} px");
        }

        foreach (var (selector, what) in new[] { ("main", "main landmark"), ("h1", "h1") })
        {
            if (await page.Locator(selector).CountAsync() is not 1 and var count)
            {
                failures.Add($"{window} {name}: {count} {what}s, not one");
            }
        }
    }

    /// <summary>Every chart the selector finds was drawn by charts.js (a script error leaves them blank).</summary>
    private static async Task ExpectDrawnAsync(IPage page, string window, string name, string selector, List<string> failures)
    {
        var count = await page.Locator(selector).CountAsync();
        var drawn = await page.EvaluateAsync<int>(
            "async (selector) => { await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))); return [...document.querySelectorAll(selector)].filter((c) => c.vlChart).length; }",
            selector);
        if (count == 0 || drawn != count)
        {
            failures.Add($"{window} {name}: {drawn} of {count} charts ({selector}) drawn");
        }
    }

    [Fact]
    public async Task Times_read_in_the_viewers_own_time_zone_with_utc_on_hover()
    {
        await using var india = await browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = baseAddress.ToString(), TimezoneId = "Asia/Kolkata", Locale = "en-US" });
        var page = await india.NewPageAsync();
        await page.GotoAsync($"/r/{finished.PublicToken}");

        var time = page.Locator("[data-testid=local-time]").First;
        await Expect(time.Locator(".vl-local")).ToContainTextAsync("GMT+5:30");
        await Expect(time.Locator(".vl-utc")).ToBeHiddenAsync();
        await Expect(time).ToHaveAttributeAsync("title", new System.Text.RegularExpressions.Regex(" UTC$"));
    }

    private Task<IBrowserContext> NewContextAsync(int width, int height) =>
        browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = width, Height = height }, BaseURL = baseAddress.ToString() });

    private async Task SeedAsync()
    {
        var node = Seed.Node("lab-node1");
        finished = Seed.Run(node.Id, RunState.Succeeded, protocols: ["wireguard", "tailscale", "nebula"]);
        finished.ResultsJson = Fixtures.FourProtocols();
        finished.FinishedAt = DateTimeOffset.UtcNow;
        later = Seed.Run(node.Id, RunState.Succeeded, protocols: ["wireguard", "tailscale", "nebula"]);
        later.ResultsJson = Fixtures.FourProtocolsScaled("wireguard", "tcpUpload", 1.1);
        later.FinishedAt = DateTimeOffset.UtcNow;
        running = Seed.Run(node.Id, RunState.Running, protocols: ["wireguard", "nebula"]);
        var start = DateTimeOffset.UtcNow.AddMinutes(-2);
        var phases = Phase.InOrder.Take(6).Select((phase, i) => new PhaseEvent
        {
            RunId = running.Id,
            Protocol = Protocols.Direct,
            Phase = phase,
            Status = PhaseStatus.Succeeded,
            StartedAt = start.AddSeconds(i * 10),
            EndedAt = start.AddSeconds((i * 10) + 9),
        });
        var now = DateTimeOffset.UtcNow;
        var history = HistorySeed.Daily(node.Id, now.AddHours(-2), 100, 98, 102, 101, 99, 100, 97, 103, 60, 61, 59, 62, 58, 60, null);
        var schedule = new Schedule { NodeId = node.Id, Protocols = ["wireguard", "nebula"], Cron = "*/30 * * * *", TimeZone = "Europe/Berlin", Email = "ops@example.com", CreatedAt = now };
        var paused = new Schedule { NodeId = node.Id, Protocols = ["tailscale"], Cron = "0 3 * * 1", Email = "ops@example.com", Paused = true, LastOccurrence = now.AddDays(-3), CreatedAt = now };
        var regression = new Alert
        {
            Kind = AlertKind.Regression,
            NodeId = node.Id,
            ScheduleId = schedule.Id,
            Protocol = "wireguard",
            Metric = "tcp_download",
            ChangeAt = now.AddDays(-6),
            OpenedAt = now.AddDays(-4),
            OpenedByRunId = finished.Id,
            Before = 100e6,
            After = 60e6,
            ShiftLow = -44e6,
            ShiftHigh = -36e6,
            PValue = 0.005,
        };
        var recovered = new Alert
        {
            Kind = AlertKind.RunFailed,
            NodeId = node.Id,
            ScheduleId = schedule.Id,
            OpenedAt = now.AddDays(-20),
            RecoveredAt = now.AddDays(-19),
            OpenedByRunId = finished.Id,
            RecoveredByRunId = later.Id,
            Reason = "The node did not answer over SSH within 30 seconds.",
        };
        await app.WithDbAsync(async db =>
        {
            db.AddRange(node, finished, later, running);
            db.AddRange(phases);
            db.AddRange(history);
            db.AddRange(schedule, paused, regression, recovered);
            var hook = new WebhookEndpoint { Name = "ntfy", Url = "https://ntfy.example.com/a-rather-long-topic-name-for-vpnlens-alerts", Secret = WebhookSecret.Generate(), CreatedAt = start };
            db.Add(hook);
            db.Add(new WebhookAttempt { EndpointId = hook.Id, MessageId = "msg_0123456789abcdef0123456789abcdef", Type = "alert.opened", Attempt = 1, At = start, StatusCode = 503, Duration = TimeSpan.FromMilliseconds(42) });
            await db.SaveChangesAsync();
        });
    }
}
