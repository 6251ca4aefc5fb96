using System.Diagnostics;
using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using VPNLens.Core.Nodes;
using VPNLens.Core.Runs;
using VPNLens.Core.Webhooks;
using VPNLens.Web.Persistence;

namespace VPNLens.Bench;

/// <summary>
/// Fills an app's database with finished runs shaped like real ones (<see cref="FinishedRuns"/>), inserted with the app's
/// model (<see cref="ModelInserter"/>) so 100,000 runs take seconds. Also makes the running runs the push, intake and
/// circuit measurements post to, and waits for the queue to be idle.
/// </summary>
internal static class Seeder
{
    private const string SeedNodeName = "bench-seed-node";
    private const int RunsPerBatch = 1000;

    public static async Task<object> SeedAsync(Options options, CancellationToken cancellationToken)
    {
        var runs = options.Int("runs", 1000);
        var template = await File.ReadAllTextAsync(options.Required("template"), cancellationToken);
        var tokenSample = options.Int("tokens", 1000);

        await using var database = AppDatabase.Open(options);
        var nodeId = await SeedNodeAsync(database, SeedNodeName, cancellationToken);
        FinishedRuns finished;
        await using (var db = await database.Contexts.CreateDbContextAsync(cancellationToken))
        {
            finished = FinishedRuns.Of(template, db);
        }

        var started = Stopwatch.GetTimestamp();
        var tokens = new List<string>(tokenSample);
        var now = DateTimeOffset.UtcNow;
        await database.InsertInBatchesAsync(runs, RunsPerBatch, (store, i) =>
        {
            var token = finished.Add(store, nodeId, now.AddMinutes(i - runs), now);
            // reservoir sample: every run equally likely to be a wrk target
            if (tokens.Count < tokenSample)
            {
                tokens.Add(token);
            }
            else if (RandomNumberGenerator.GetInt32(i + 1) < tokenSample)
            {
                tokens[RandomNumberGenerator.GetInt32(tokenSample)] = token;
            }
        }, cancellationToken);

        var tokensOut = options.Text("tokens-out", "");
        if (tokensOut.Length > 0)
        {
            await File.WriteAllLinesAsync(tokensOut, tokens, cancellationToken);
        }

        await using var counts = await database.Contexts.CreateDbContextAsync(cancellationToken);
        return new
        {
            runs,
            total = await counts.Runs.LongCountAsync(cancellationToken),
            phaseEvents = await counts.PhaseEvents.LongCountAsync(cancellationToken),
            seconds = Stats.Round(Stats.ElapsedMs(started, Stopwatch.GetTimestamp()) / 1000),
            nodeId,
        };
    }

    /// <summary>A run in state Running with a known callback secret, deadline hours away, never dispatched.</summary>
    public static async Task<object> RunningRunAsync(Options options, CancellationToken cancellationToken)
    {
        var requested = options.Text("protocols", "direct,wireguard").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        await using var database = AppDatabase.Open(options);
        await using var db = await database.Contexts.CreateDbContextAsync(cancellationToken);
        var now = DateTimeOffset.UtcNow;
        var timeout = TimeSpan.FromHours(3);
        var run = new Run
        {
            PublicToken = PublicToken.Generate(),
            RequesterEmail = "bench@vpnlens.test",
            NodeId = options.Guid("node-id"),
            Protocols = [.. Protocols.ExecutionOrder(requested)],
            State = RunState.Running,
            QueuedAt = now,
            QueueSequence = (await db.Runs.MaxAsync(r => r.QueueSequence, cancellationToken) ?? 0) + 1,
            StartedAt = now,
            Timeout = timeout,
            DeadlineAt = now + timeout,
            CallbackSecret = WebhookSecret.Generate(),
        };
        db.Runs.Add(run);
        await db.SaveChangesAsync(cancellationToken);
        return new { id = run.Id, token = run.PublicToken, secret = run.CallbackSecret, protocols = string.Join(',', run.Protocols) };
    }

    /// <summary>Waits until no run is queued, running or waiting for its script to be stopped.</summary>
    public static async Task<object> WaitIdleAsync(Options options, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.GetTimestamp() + (options.Int("timeout-seconds", 120) * Stopwatch.Frequency);
        await using var database = AppDatabase.Open(options);
        var started = Stopwatch.GetTimestamp();
        while (true)
        {
            await using var db = await database.Contexts.CreateDbContextAsync(cancellationToken);
            var busy = await db.Runs.CountAsync(r => r.State == RunState.Queued || r.State == RunState.Running || r.RemoteStopPending, cancellationToken);
            if (busy == 0)
            {
                return new { idle = true, waitedMs = Stats.Round(Stats.ElapsedMs(started, Stopwatch.GetTimestamp())) };
            }

            if (Stopwatch.GetTimestamp() > deadline)
            {
                throw new BenchException($"{busy} run(s) still queued, running or being stopped");
            }

            await Task.Delay(100, cancellationToken);
        }
    }

    /// <summary>The node named <paramref name="name"/>, made when there is none yet; never dispatched to.</summary>
    public static async Task<Guid> SeedNodeAsync(AppDatabase database, string name, CancellationToken cancellationToken)
    {
        await using var db = await database.Contexts.CreateDbContextAsync(cancellationToken);
        if (await db.Nodes.Where(n => n.Name == name).Select(n => (Guid?)n.Id).FirstOrDefaultAsync(cancellationToken) is { } existing)
        {
            return existing;
        }

        // 198.18.0.250 is in the benchmarking range and never a lab host: runs here are never dispatched.
        var node = new Node
        {
            Name = name,
            Host = "198.18.0.250",
            User = "root",
            HostKeyFingerprint = "SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
            PrivateKeyPath = "/nonexistent",
            CreatedAt = DateTimeOffset.UtcNow,
        };
        db.Nodes.Add(node);
        await db.SaveChangesAsync(cancellationToken);
        return node.Id;
    }
}
