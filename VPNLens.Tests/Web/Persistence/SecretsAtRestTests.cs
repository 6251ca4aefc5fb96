using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using VPNLens.Core.Runs;
using VPNLens.Tests.Infrastructure;
using VPNLens.Web.Persistence;
using VPNLens.Web.Runs;

namespace VPNLens.Tests.Web.Persistence;

[Collection(AppCollection.Name)]
public sealed class SecretsAtRestTests : IAsyncLifetime
{
    private readonly VpnLensApp app = new();

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync() => app.DisposeAsync();

    [Fact]
    public async Task A_queued_runs_callback_secret_is_nowhere_in_the_database_in_clear()
    {
        var node = Seed.Node();
        await app.WithDbAsync(async db =>
        {
            db.Nodes.Add(node);
            await db.SaveChangesAsync();
        });
        using var client = app.CreateApiClient();
        using var queued = await client.PostAsJsonAsync("/api/runs", new { nodeId = node.Id, protocols = new[] { "wireguard" }, email = "ops@example.com" }, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Accepted, queued.StatusCode);
        var id = (await queued.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken)).GetProperty("id").GetGuid();

        var secret = await app.WithDbAsync(db => db.Runs.Where(r => r.Id == id).Select(r => r.CallbackSecret).SingleAsync());

        Assert.StartsWith("whsec_", secret, StringComparison.Ordinal);
        if (TestPostgres.SuiteProvider == DatabaseProvider.Postgres)
        {
            // The cluster's files are the server's; what it stores is the column as written.
            var stored = await app.WithDbAsync(db => db.Database
                .SqlQuery<string>($"SELECT \"CallbackSecret\" AS \"Value\" FROM \"Runs\" WHERE \"Id\" = {id}")
                .SingleAsync());
            Assert.DoesNotContain(secret["whsec_".Length..], stored, StringComparison.Ordinal);
            Assert.DoesNotContain("whsec_", stored, StringComparison.Ordinal);
            return;
        }

        var files = Directory.GetFiles(app.DataDirectory, "vpnlens.db*");
        Assert.Contains(files, f => f.EndsWith("-wal", StringComparison.Ordinal));
        foreach (var file in files)
        {
            var bytes = await ReadSharedAsync(file);
            Assert.False(Contains(bytes, secret["whsec_".Length..]), $"{Path.GetFileName(file)} holds the secret in clear");
            Assert.False(Contains(bytes, "whsec_"), $"{Path.GetFileName(file)} holds a whsec_ secret");
        }
    }

    [Fact]
    public async Task The_app_erases_a_protected_secret_once_and_then_finds_nothing_left_to_erase()
    {
        var node = Seed.Node();
        var run = Seed.Run(node.Id, RunState.Succeeded);
        run.FinishedAt = DateTimeOffset.UtcNow - SpentSecretEraser.Grace - TimeSpan.FromMinutes(5);
        await app.WithDbAsync(async db =>
        {
            db.Nodes.Add(node);
            db.Runs.Add(run);
            await db.SaveChangesAsync();
        });
        var eraser = new SpentSecretEraser(app.Services.GetRequiredService<IDbContextFactory<AppDbContext>>(), TimeProvider.System);

        // The app's own sweeper may have erased it already; either way one more round finds nothing.
        await eraser.EraseAsync(TestContext.Current.CancellationToken);
        var again = await eraser.EraseAsync(TestContext.Current.CancellationToken);

        Assert.Equal(0, again);
        Assert.Equal(string.Empty, await app.WithDbAsync(db => db.Runs.Where(r => r.Id == run.Id).Select(r => r.CallbackSecret).SingleAsync()));
    }

    [Fact]
    public async Task A_callback_for_a_run_whose_secret_was_erased_gets_409_and_changes_nothing()
    {
        var node = Seed.Node();
        var run = Seed.Run(node.Id, RunState.Succeeded);
        var secret = run.CallbackSecret;
        run.CallbackSecret = string.Empty;
        await app.WithDbAsync(async db =>
        {
            db.Nodes.Add(node);
            db.Runs.Add(run);
            await db.SaveChangesAsync();
        });
        using var client = app.CreateClient();

        using var response = await client.SendAsync(SignedCallbacks.Request(run.Id, "results", secret, SignedCallbacks.Results()), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Null(await app.WithDbAsync(db => db.Runs.Where(r => r.Id == run.Id).Select(r => r.ResultsJson).SingleAsync()));
    }

    private static async Task<byte[]> ReadSharedAsync(string path)
    {
        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy, TestContext.Current.CancellationToken);
        return copy.ToArray();
    }

    private static bool Contains(byte[] haystack, string needle) => haystack.AsSpan().IndexOf(Encoding.UTF8.GetBytes(needle)) >= 0;
}

public sealed class SpentSecretEraserTests : IAsyncLifetime
{
    private readonly FakeTimeProvider time = new(DateTimeOffset.Parse("2026-12-05T08:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
    private TestDatabase database = null!;

    public async ValueTask InitializeAsync() => database = await TestDatabase.CreateAsync();

    public ValueTask DisposeAsync() => database.DisposeAsync();

    [Fact]
    public async Task Only_the_secrets_of_runs_that_ended_longer_than_the_grace_ago_are_erased()
    {
        var node = Seed.Node();
        var endedLongAgo = Ended(node.Id, RunState.Succeeded, time.GetUtcNow() - SpentSecretEraser.Grace - TimeSpan.FromSeconds(1));
        var timedOutLongAgo = Ended(node.Id, RunState.TimedOut, time.GetUtcNow() - TimeSpan.FromHours(3));
        var endedJustNow = Ended(node.Id, RunState.Failed, time.GetUtcNow() - TimeSpan.FromMinutes(1));
        var running = Seed.Run(node.Id, RunState.Running);
        var queued = Seed.Run(node.Id, RunState.Queued);
        await database.AddAsync(node, endedLongAgo, timedOutLongAgo, endedJustNow, running, queued);
        var eraser = new SpentSecretEraser(database.Factory, time);

        Assert.Equal(2, await eraser.EraseAsync(TestContext.Current.CancellationToken));

        var secrets = await database.WithDbAsync(db => db.Runs.ToDictionaryAsync(r => r.Id, r => r.CallbackSecret, TestContext.Current.CancellationToken));
        Assert.Equal(string.Empty, secrets[endedLongAgo.Id]);
        Assert.Equal(string.Empty, secrets[timedOutLongAgo.Id]);
        Assert.Equal(endedJustNow.CallbackSecret, secrets[endedJustNow.Id]);
        Assert.Equal(running.CallbackSecret, secrets[running.Id]);
        Assert.Equal(queued.CallbackSecret, secrets[queued.Id]);

        time.Advance(SpentSecretEraser.Grace);
        Assert.Equal(1, await eraser.EraseAsync(TestContext.Current.CancellationToken));
    }

    private static Run Ended(Guid nodeId, RunState state, DateTimeOffset finishedAt)
    {
        var run = Seed.Run(nodeId, state);
        run.FinishedAt = finishedAt;
        return run;
    }
}
