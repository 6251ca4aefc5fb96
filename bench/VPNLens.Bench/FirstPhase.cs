using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace VPNLens.Bench;

/// <summary>
/// Queue to first phase: from sending POST /api/runs to the first phase event of that run reaching a
/// SignalR client (or, where the app has no hub, to GET /api/runs/{id} first listing a phase, polled
/// every 50 ms, and labelled so). The run is cancelled as soon as it is measured.
/// </summary>
internal static class FirstPhase
{
    public static async Task<object> RunAsync(Options options, CancellationToken cancellationToken)
    {
        var baseUri = options.BaseUri();
        var apiToken = options.Required("api-token");
        var timeout = TimeSpan.FromSeconds(options.Int("timeout-seconds", 60));
        var protocols = options.Text("protocols", "wireguard").Split(',', StringSplitOptions.RemoveEmptyEntries);
        using var http = ApiClient.Create(baseUri, apiToken);

        var (hub, problem) = await RunHubClient.TryConnectAsync(baseUri, apiToken, cancellationToken);
        await using var hubLease = hub;
        var first = new TaskCompletionSource<(long At, JsonElement Phase)>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (hub is not null)
        {
            hub.Phase += (at, phase) => first.TrySetResult((at, phase));
        }

        var sent = Stopwatch.GetTimestamp();
        using var response = await http.PostAsJsonAsync(
            new Uri("api/runs", UriKind.Relative), new { nodeId = options.Guid("node-id"), protocols, email = "bench@vpnlens.test" }, cancellationToken);
        var accepted = Stopwatch.GetTimestamp();
        if (response.StatusCode != HttpStatusCode.Accepted)
        {
            throw new BenchException($"POST /api/runs answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(cancellationToken)}");
        }

        var runId = (await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken)).GetProperty("id").GetGuid();
        try
        {
            long arrived;
            string via;
            if (hub is not null)
            {
                await hub.JoinAsync(runId, cancellationToken);
                (arrived, _) = await first.Task.WaitAsync(timeout, cancellationToken);
                via = "signalr";
            }
            else
            {
                arrived = await PollFirstPhaseAsync(http, runId, timeout, cancellationToken);
                via = "polling GET /api/runs/{id} every 50 ms";
            }

            var run = await ApiClient.GetRunAsync(http, runId, cancellationToken);
            return new
            {
                runId,
                ms = Stats.Round(Stats.ElapsedMs(sent, arrived)),
                via,
                hubProblem = problem,
                postMs = Stats.Round(Stats.ElapsedMs(sent, accepted)),
                breakdown = Breakdown(run),
            };
        }
        catch (TimeoutException ex)
        {
            throw new BenchException($"no phase event for run {runId} within {timeout.TotalSeconds} s", ex);
        }
        finally
        {
            using var cancel = await http.PostAsync(new Uri($"api/runs/{runId}/cancel", UriKind.Relative), null, CancellationToken.None);
        }
    }

    private static async Task<long> PollFirstPhaseAsync(HttpClient http, Guid runId, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        while (Stopwatch.GetTimestamp() < deadline)
        {
            var run = await ApiClient.GetRunAsync(http, runId, cancellationToken);
            if (run.TryGetProperty("phases", out var phases) && phases.ValueKind == JsonValueKind.Array && phases.GetArrayLength() > 0)
            {
                return Stopwatch.GetTimestamp();
            }

            await Task.Delay(50, cancellationToken);
        }

        throw new TimeoutException();
    }

    // Where the time went, from the app's and the node's own timestamps (one machine, one clock).
    private static object? Breakdown(JsonElement run)
    {
        if (!run.TryGetProperty("phases", out var phases) || phases.ValueKind != JsonValueKind.Array || phases.GetArrayLength() == 0)
        {
            return null;
        }

        var queued = Time(run, "queuedAt");
        var started = Time(run, "startedAt");
        var phase = phases[0];
        var phaseStarted = Time(phase, "startedAt");
        var phaseEnded = Time(phase, "endedAt");
        return new
        {
            phase = $"{phase.GetProperty("protocol").GetString()} {phase.GetProperty("phase").GetString()}",
            dispatchedAtMs = started?.ToUnixTimeMilliseconds(),
            firstPhaseStartedAtMs = phaseStarted?.ToUnixTimeMilliseconds(),
            queuedToDispatchMs = Between(queued, started),
            dispatchToFirstPhaseStartMs = Between(started, phaseStarted),
            firstPhaseMs = Between(phaseStarted, phaseEnded),
        };
    }

    private static DateTimeOffset? Time(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? DateTimeOffset.Parse(value.GetString()!, CultureInfo.InvariantCulture)
            : null;

    private static double? Between(DateTimeOffset? from, DateTimeOffset? to) =>
        from is null || to is null ? null : Stats.Round((to.Value - from.Value).TotalMilliseconds);
}
