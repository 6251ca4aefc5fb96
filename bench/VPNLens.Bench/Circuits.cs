using System.Diagnostics;
using Microsoft.Playwright;
using VPNLens.Core.Statistics;

namespace VPNLens.Bench;

/// <summary>
/// Memory with open Blazor circuits: a real headless Chromium (signed in with --email/--password, when given)
/// opens the live page of a running run in COUNT tabs, each with its own interactive circuit (a _blazor WebSocket),
/// then phase events are posted to the run so every circuit re-renders, while the app's RSS is sampled. A tab
/// counts as live when its circuit sent frames after the first event.
/// </summary>
internal static class Circuits
{
    public static async Task<object> RunAsync(Options options, CancellationToken cancellationToken)
    {
        var baseUri = options.BaseUri();
        var url = new Uri(baseUri, options.Required("path").TrimStart('/')).ToString();
        var count = options.Int("count", 100);
        var hold = TimeSpan.FromSeconds(options.Double("hold-seconds", 20));
        var eventRate = options.Double("event-rate", 2);
        var pid = options.Int("app-pid", 0);
        var runId = options.Guid("run-id");
        var rssBefore = ProcessMemory.RssMegabytes(pid) ?? throw new BenchException($"no process {pid}");

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await LaunchAsync(playwright, options);
        var context = await browser.NewContextAsync();
        if (options.Text("email", string.Empty) is { Length: > 0 } email)
        {
            await SignInAsync(context, baseUri, email, options.Required("password"));
        }

        var parallel = options.Int("parallel", 8);
        var opening = Stopwatch.GetTimestamp();
        var tabs = await OpenTabsAsync(context, url, count, parallel, cancellationToken);

        var openSeconds = Stats.ElapsedMs(opening, Stopwatch.GetTimestamp()) / 1000;
        var connected = tabs.Count(t => t.Connected);
        var rssOpen = ProcessMemory.RssMegabytes(pid);

        // Live: phase events at a steady rate while the circuits re-render and memory is sampled.
        using var http = ApiClient.Create(baseUri, null);
        var poster = new PhasePoster(http, runId, options.Required("secret"), options.Text("protocol", "direct"));
        foreach (var tab in tabs)
        {
            tab.ResetFrames();
        }

        var samples = new List<double>();
        var start = Stopwatch.GetTimestamp();
        var statuses = new List<int>();
        var sequence = 0;
        var nextEvent = start;
        var prefix = Guid.NewGuid().ToString("N")[..8];
        while (Stats.ElapsedMs(start, Stopwatch.GetTimestamp()) < hold.TotalMilliseconds)
        {
            if (Stopwatch.GetTimestamp() >= nextEvent)
            {
                statuses.Add(await poster.PostAsync($"msg_{runId:N}_circuits{prefix}_{sequence}", sequence, $"circuits {sequence}", cancellationToken));
                sequence++;
                nextEvent += (long)(Stopwatch.Frequency / eventRate);
            }

            if (ProcessMemory.RssMegabytes(pid) is { } rss)
            {
                samples.Add(rss);
            }

            await Task.Delay(250, cancellationToken);
        }

        var live = tabs.Count(t => t.FramesSinceReset > 0);
        var result = new
        {
            requested = count,
            opened = tabs.Count,
            connected,
            live,
            openSeconds = Stats.Round(openSeconds),
            events = sequence,
            eventsAccepted = statuses.Count(s => s == 200),
            rssMb = new
            {
                before = rssBefore,
                afterOpen = rssOpen,
                holdMedian = Descriptive.Median(samples) ?? double.NaN,
                holdMax = samples.Count == 0 ? double.NaN : samples.Max(),
                samples,
            },
        };
        await CloseTabsAsync(tabs, parallel);
        await context.CloseAsync();
        return result;
    }

    public static async Task<IBrowser> LaunchAsync(IPlaywright playwright, Options options)
    {
        var nice = options.Int("browser-nice", 0);
        var chromium = options.Text("chromium", "/usr/bin/chromium");
        var wrapper = nice == 0 ? null : NicedWrapper(chromium, nice);
        try
        {
            return await playwright.Chromium.LaunchAsync(new()
            {
                ExecutablePath = wrapper ?? chromium,
                Headless = true,
                // Tabs share a few renderer processes: the measurement is the app's memory, not Chromium's.
                Args = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--renderer-process-limit=4", "--disable-background-timer-throttling", "--disable-renderer-backgrounding"],
            });
        }
        finally
        {
            if (wrapper is not null)
            {
                File.Delete(wrapper);
            }
        }
    }

    /// <summary>
    /// The browser at a lower CPU priority (--browser-nice N, 1-19): its tabs stand for people on machines of their
    /// own, so on the app's two cores their rendering must not take the CPU the app needs to answer and push.
    /// Every thread and process of Chromium inherits the priority from a wrapper that execs it under nice.
    /// </summary>
    private static string NicedWrapper(string chromium, int nice)
    {
        if (nice is < 1 or > 19)
        {
            throw new BenchException($"--browser-nice must be 1-19, not {nice}");
        }

        if (!OperatingSystem.IsLinux())
        {
            throw new BenchException("--browser-nice needs Linux");
        }

        var wrapper = Path.Combine(Path.GetTempPath(), $"vpnlens-bench-chromium-nice{nice}-{Environment.ProcessId}.sh");
        File.WriteAllText(wrapper, $"#!/bin/sh\nexec nice -n {nice} '{chromium.Replace("'", "'\\''", StringComparison.Ordinal)}' \"$@\"\n");
        File.SetUnixFileMode(wrapper, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return wrapper;
    }

    /// <summary>COUNT tabs on URL, PARALLEL opening at a time, each with its own circuit.</summary>
    public static async Task<List<Tab>> OpenTabsAsync(IBrowserContext context, string url, int count, int parallel, CancellationToken cancellationToken)
    {
        using var gate = new SemaphoreSlim(parallel);
        var opened = await Task.WhenAll(Enumerable.Range(0, count).Select(async _ =>
        {
            await gate.WaitAsync(cancellationToken);
            try
            {
                return await Tab.OpenAsync(context, url, TimeSpan.FromSeconds(90));
            }
            finally
            {
                gate.Release();
            }
        }));
        return [.. opened.OfType<Tab>()];
    }

    /// <summary>Closes every tab as a person does (see <see cref="Tab.CloseAsync"/>), PARALLEL at a time.</summary>
    public static Task CloseTabsAsync(IEnumerable<Tab> tabs, int parallel) =>
        Parallel.ForEachAsync(tabs, new ParallelOptions { MaxDegreeOfParallelism = parallel }, async (tab, _) => await tab.CloseAsync());

    /// <summary>Signs the context in (its tabs share the cookie): a signed-out visitor of a live permalink gets no circuit.</summary>
    public static async Task SignInAsync(IBrowserContext context, Uri baseUri, string email, string password)
    {
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(90_000);
        try
        {
            await page.GotoAsync(new Uri(baseUri, "/account/login").ToString());
            await page.FillAsync("#email", email);
            await page.FillAsync("#password", password);
            await page.ClickAsync("button[type=submit]");
            await page.WaitForURLAsync(url => !url.Contains("/account/login", StringComparison.Ordinal));
        }
        catch (Exception ex) when (ex is TimeoutException or PlaywrightException)
        {
            throw new BenchException($"signing in as {email} did not get past the sign-in page: {ex.Message}", ex);
        }

        await page.CloseAsync();
    }

    /// <summary>One browser tab on the page, watching its Blazor circuit's WebSocket.</summary>
    internal sealed class Tab
    {
        private readonly TaskCompletionSource circuit = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int frames;
        private IPage? page;

        public bool Connected => circuit.Task.IsCompletedSuccessfully;

        public int FramesSinceReset => Volatile.Read(ref frames);

        public void ResetFrames() => Volatile.Write(ref frames, 0);

        public static async Task<Tab?> OpenAsync(IBrowserContext context, string url, TimeSpan timeout)
        {
            var tab = new Tab();
            var page = tab.page = await context.NewPageAsync();
            page.WebSocket += (_, socket) =>
            {
                if (!socket.Url.Contains("/_blazor", StringComparison.Ordinal))
                {
                    return;
                }

                socket.FrameReceived += (_, _) =>
                {
                    Interlocked.Increment(ref tab.frames);
                    tab.circuit.TrySetResult();
                };
            };
            try
            {
                await page.GotoAsync(url, new() { WaitUntil = WaitUntilState.Load, Timeout = (float)timeout.TotalMilliseconds });
                await tab.circuit.Task.WaitAsync(timeout);
                return tab;
            }
            catch (Exception ex) when (ex is TimeoutException or PlaywrightException)
            {
                await Console.Error.WriteLineAsync($"circuits: a tab did not connect: {ex.Message}");
                return tab;
            }
        }

        /// <summary>
        /// Closes the tab as a person does, with its pagehide handlers: Blazor's sends the disconnect beacon and the
        /// app ends the circuit at once. Closed without them (a crash, a lost network) the app keeps the circuit for
        /// its retention period (3 minutes), and the next part would measure those circuits as well as its own.
        /// </summary>
        public async Task CloseAsync()
        {
            if (page is null || page.IsClosed)
            {
                return;
            }

            var closed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            page.Close += (_, _) => closed.TrySetResult();
            await page.CloseAsync(new() { RunBeforeUnload = true });
            try
            {
                await closed.Task.WaitAsync(TimeSpan.FromSeconds(30));
            }
            catch (TimeoutException)
            {
                await Console.Error.WriteLineAsync("circuits: a tab did not close within 30 s");
            }
        }
    }
}
