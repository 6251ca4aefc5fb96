using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using VPNLens.Core.Phases;
using VPNLens.Core.Webhooks;

namespace VPNLens.Bench.ControlPlaneSim;

/// <summary>
/// The simulated Benchmark Nodes, in the cp-sim process so their signing and posting does not share the instances'
/// processes. An instance's <see cref="FarmNodeClient"/> starts a run here; the node then posts what run.sh posts, at
/// its pace: every phase of every protocol as a signed phase event, then the results, each to the next instance in
/// turn as a load balancer would, retrying a refused or unanswered post with the same message id as run.sh does. Until
/// <see cref="Release"/>, a started node posts nothing: its first run lasts as long as queueing every run takes, so each
/// node's next run is queued before a lease is freed and every freed lease is a dispatch to measure.
/// </summary>
internal sealed class NodeFarm : IAsyncDisposable
{
    private const int MaxAttempts = 5;
    private readonly WebApplication app;
    private readonly HttpClient[] instances;
    private readonly TimeSpan phaseInterval;
    private readonly JsonObject resultsTemplate;
    private readonly ConcurrentDictionary<Guid, byte[]> finished = new();
    private readonly ConcurrentBag<Task> nodes = [];
    private readonly TaskCompletionSource released = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly long origin = Stopwatch.GetTimestamp();
    private int nextInstance;
    private int nextPid = 10_000;

    private NodeFarm(WebApplication app, IReadOnlyList<Uri> instanceUris, TimeSpan phaseInterval, JsonObject resultsTemplate)
    {
        this.app = app;
        this.phaseInterval = phaseInterval;
        this.resultsTemplate = resultsTemplate;
        instances = [.. instanceUris.Select(u => ApiClient.Create(u, null))];
    }

    public Uri Address { get; private set; } = null!;

    /// <summary>Every callback post's outcome (its last attempt), in the order answered.</summary>
    public ConcurrentQueue<CallbackPost> Posts { get; } = new();

    /// <summary>Runs started here, with the time the start reached the node.</summary>
    public ConcurrentDictionary<Guid, DateTimeOffset> Started { get; } = new();

    public int Stops => stops;

    private int stops;

    public static async Task<NodeFarm> StartAsync(IReadOnlyList<Uri> instanceUris, TimeSpan phaseInterval, string resultsFixture)
    {
        var template = JsonNode.Parse(await File.ReadAllTextAsync(resultsFixture))?.AsObject() ?? throw new BenchException($"{resultsFixture} is not a JSON object");
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var farm = new NodeFarm(app, instanceUris, phaseInterval, template);
        app.MapPost("/start", async (HttpRequest request) =>
        {
            var start = await request.ReadFromJsonAsync<FarmStart>() ?? throw new BenchException("empty start");
            return Results.Ok(farm.Start(start));
        });
        app.MapPost("/stop/{id:guid}", (Guid id) =>
        {
            Interlocked.Increment(ref farm.stops);
            return Results.Ok();
        });
        app.MapGet("/results/{id:guid}", (Guid id) =>
            farm.finished.TryGetValue(id, out var body) ? Results.Bytes(body, "application/json") : Results.NotFound());
        await app.StartAsync();
        farm.Address = new Uri(app.Urls.First() + "/");
        return farm;
    }

    /// <summary>The number of phase callbacks and the one results callback a run of these protocols posts.</summary>
    public static int CallbacksPerRun(int protocols) => (protocols * Phase.InOrder.Count) + 1;

    public double SecondsSinceStart() => Stats.ElapsedMs(origin, Stopwatch.GetTimestamp()) / 1000;

    /// <summary>Lets the started nodes, and every node started from now on, post their callbacks.</summary>
    public void Release() => released.TrySetResult();

    /// <summary>Waits for every node still posting.</summary>
    public Task DrainAsync() => Task.WhenAll(nodes);

    private int Start(FarmStart start)
    {
        if (Started.TryAdd(start.RunId, DateTimeOffset.UtcNow))
        {
            nodes.Add(Task.Run(() => PlayAsync(start)));
        }

        return Interlocked.Increment(ref nextPid);
    }

    private async Task PlayAsync(FarmStart run)
    {
        await released.Task;
        var key = WebhookSecret.Parse(run.Secret);
        foreach (var protocol in run.Protocols)
        {
            foreach (var phase in Phase.InOrder)
            {
                var began = DateTimeOffset.UtcNow;
                await Task.Delay(phaseInterval);
                var body = JsonSerializer.SerializeToUtf8Bytes(new
                {
                    protocol,
                    phase,
                    status = "succeeded",
                    startedAt = began.ToString("O", CultureInfo.InvariantCulture),
                    endedAt = DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture),
                    detail = $"simulated {phase}",
                });
                await PostAsync(key, run.RunId, "phases", $"msg_{run.RunId:N}_{protocol}_{phase}", body);
            }
        }

        var results = Encoding.UTF8.GetBytes(ResultsFor(run.Protocols));
        finished[run.RunId] = results;
        await PostAsync(key, run.RunId, "results", $"msg_{run.RunId:N}_results", results);
    }

    /// <summary>The fixture's results with only the run's protocols, as run.sh reports the protocols it was asked for.</summary>
    private string ResultsFor(IReadOnlyList<string> protocols)
    {
        var results = resultsTemplate.DeepClone().AsObject();
        var kept = new JsonArray([.. results["protocols"]!.AsArray().Where(p => protocols.Contains(p!["protocol"]!.GetValue<string>())).Select(p => p!.DeepClone())]);
        results["protocols"] = kept;
        return results.ToJsonString();
    }

    private async Task PostAsync(WebhookSecret key, Guid runId, string kind, string messageId, byte[] body)
    {
        var status = 0;
        var answer = string.Empty;
        var attempt = 0;
        while (attempt < MaxAttempts)
        {
            attempt++;
            var http = instances[(int)((uint)Interlocked.Increment(ref nextInstance) % instances.Length)];
            using var request = PhasePoster.SignedRequest(key, $"api/runs/{runId}/{kind}", messageId, body, DateTimeOffset.UtcNow);
            try
            {
                using var response = await http.SendAsync(request);
                status = (int)response.StatusCode;
                answer = await response.Content.ReadAsStringAsync();
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                status = 0;
                answer = ex.Message;
            }

            if (status is > 0 and < 500)
            {
                break;
            }

            await Task.Delay(TimeSpan.FromSeconds(attempt));
        }

        Posts.Enqueue(new CallbackPost(runId, kind, messageId, status, answer.Contains("\"duplicate\"", StringComparison.Ordinal), attempt, SecondsSinceStart()));
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var http in instances)
        {
            http.Dispose();
        }

        await app.DisposeAsync();
    }
}

/// <summary>One callback as the node saw it end: its final status, whether the app called it a duplicate, how many tries.</summary>
internal sealed record CallbackPost(Guid RunId, string Kind, string MessageId, int Status, bool AnsweredDuplicate, int Attempts, double AnsweredAtSeconds);
