using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;

namespace VPNLens.Tests.Infrastructure;

/// <summary>
/// The app as its own process (<c>dotnet VPNLens.Web.dll</c>, the build's output), on a loopback port, configured by
/// environment variables as <c>./vpnlens up</c> configures it: for what only a separate process can show, such as
/// an instance killed with SIGKILL.
/// </summary>
public sealed class AppProcess : IAsyncDisposable
{
    private static readonly TimeSpan StartLimit = TimeSpan.FromSeconds(120);

    private readonly Process process;
    private readonly List<string> output = [];

    private AppProcess(Process process, int port)
    {
        this.process = process;
        Url = new Uri($"http://127.0.0.1:{port}/");
    }

    public Uri Url { get; }

    /// <summary>What the app printed, for a failing test's message.</summary>
    public string Output
    {
        get
        {
            lock (output)
            {
                return string.Join('\n', output.TakeLast(60));
            }
        }
    }

    public static async Task<AppProcess> StartAsync(IDictionary<string, string> settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var bin = Path.Combine(Repository.Root, "VPNLens.Web", "bin", "Debug", "net10.0");
        var port = Sshd.FreePort();
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = bin,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add(Path.Combine(bin, "VPNLens.Web.dll"));
        start.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}";
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        foreach (var (key, value) in settings)
        {
            start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        var app = new AppProcess(Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start."), port);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => app.Kill();
        app.process.OutputDataReceived += (_, e) => app.Record(e.Data);
        app.process.ErrorDataReceived += (_, e) => app.Record(e.Data);
        app.process.BeginOutputReadLine();
        app.process.BeginErrorReadLine();
        await app.WaitHealthyAsync();
        return app;
    }

    public HttpClient CreateApiClient(string token)
    {
        var client = new HttpClient { BaseAddress = Url };
        client.DefaultRequestHeaders.Authorization = new("Bearer", token);
        return client;
    }

    /// <summary>SIGKILL: no shutdown, no goodbye to the database or Hangfire.</summary>
    public void Kill()
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
            // already gone
        }
    }

    public async ValueTask DisposeAsync()
    {
        Kill();
        await process.WaitForExitAsync();
        process.Dispose();
    }

    private async Task WaitHealthyAsync()
    {
        using var client = new HttpClient { BaseAddress = Url, Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTimeOffset.UtcNow + StartLimit;
        while (DateTimeOffset.UtcNow < deadline)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"The app exited with {process.ExitCode} at start:\n{Output}");
            }

            try
            {
                using var response = await client.GetAsync("healthz");
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // not listening yet
            }
            catch (TaskCanceledException)
            {
                // busy starting
            }

            await Task.Delay(TimeSpan.FromMilliseconds(250));
        }

        throw new TimeoutException($"The app did not answer /healthz within {StartLimit}:\n{Output}");
    }

    private void Record(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (output)
        {
            output.Add(line);
        }
    }

    /// <summary>GET /api/runs/{id} until <paramref name="done"/> holds for its body; the last body otherwise.</summary>
    public async Task<JsonElement> WaitForRunAsync(HttpClient api, Guid id, Func<JsonElement, bool> done, TimeSpan limit, string what)
    {
        ArgumentNullException.ThrowIfNull(api);
        ArgumentNullException.ThrowIfNull(done);
        var deadline = DateTimeOffset.UtcNow + limit;
        JsonElement body = default;
        while (DateTimeOffset.UtcNow < deadline)
        {
            body = await api.GetFromJsonAsync<JsonElement>($"api/runs/{id}");
            if (done(body))
            {
                return body;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(200));
        }

        throw new TimeoutException($"Run {id} was not {what} within {limit}: {body}\n{Output}");
    }
}
