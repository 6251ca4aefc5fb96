using Microsoft.Playwright;

namespace VPNLens.Bench;

/// <summary>
/// Callback to push with dashboards open: a real headless Chromium signs in and opens the dashboard (/)
/// in COUNT tabs, each a live Blazor circuit subscribed to run events, then the "push" measurement runs
/// unchanged beside them. A tab counts as live when its circuit sent frames during the callbacks.
/// </summary>
internal static class DashboardPush
{
    public static async Task<object> RunAsync(Options options, CancellationToken cancellationToken)
    {
        var baseUri = options.BaseUri();
        var count = options.Int("dashboards", 100);
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await Circuits.LaunchAsync(playwright, options);
        var context = await browser.NewContextAsync();
        await Circuits.SignInAsync(context, baseUri, options.Required("email"), options.Required("password"));

        var parallel = options.Int("parallel", 8);
        var tabs = await Circuits.OpenTabsAsync(context, new Uri(baseUri, "/").ToString(), count, parallel, cancellationToken);
        foreach (var tab in tabs)
        {
            tab.ResetFrames();
        }

        var push = await PushLatency.MeasureAsync(options, cancellationToken);
        var result = new
        {
            dashboards = new { requested = count, opened = tabs.Count, connected = tabs.Count(t => t.Connected), live = tabs.Count(t => t.FramesSinceReset > 0) },
            push.Rate,
            push.Sent,
            push.Received,
            push.Missing,
            push.Statuses,
            push.LatencyMs,
            push.CallbackMs,
        };
        await Circuits.CloseTabsAsync(tabs, parallel);
        await context.CloseAsync();
        return result;
    }
}
