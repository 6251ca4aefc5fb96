using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using VPNLens.Core.Runs;
using VPNLens.Core.Schedules;
using VPNLens.Tests.Infrastructure;

namespace VPNLens.Tests.Web.Api;

[Collection(AppCollection.Name)]
public sealed class NodesApiTests : IAsyncLifetime
{
    private const string Fingerprint = "SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU";
    private readonly VpnLensApp app = new(configureServices: VpnLensApp.WithoutDispatch);
    private readonly string keyFile = Path.GetTempFileName();

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        File.Delete(keyFile);
        await app.DisposeAsync();
    }

    [Fact]
    public async Task A_user_or_host_that_is_shell_gets_400_naming_the_field_and_nothing_is_stored()
    {
        using var client = app.CreateApiClient();
        using var response = await client.PostAsJsonAsync(
            "/api/nodes",
            new { name = "node1", host = "-oProxyCommand=touch${IFS}/tmp/x", port = 22, user = "$(touch${IFS}/tmp/x)", hostKeyFingerprint = Fingerprint, privateKeyPath = keyFile },
            TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        var fields = problem.GetProperty("errors").EnumerateObject().Select(p => p.Name).Order().ToList();
        Assert.Equal(["host", "user"], fields);
        Assert.Equal(0, await app.WithDbAsync(db => db.Nodes.CountAsync()));
    }

    [Fact]
    public async Task Deleting_a_node_keeps_its_finished_runs_and_removes_its_schedules()
    {
        var node = Seed.Node();
        var finished = Seed.Run(node.Id, RunState.Succeeded);
        var schedule = new Schedule { NodeId = node.Id, Protocols = ["wireguard"], Cron = "0 * * * *", Email = "ops@example.com" };
        await app.WithDbAsync(async db =>
        {
            db.Nodes.Add(node);
            db.Runs.Add(finished);
            db.Schedules.Add(schedule);
            await db.SaveChangesAsync();
        });
        using var client = app.CreateApiClient();

        using var deleted = await client.DeleteAsync($"/api/nodes/{node.Id}", TestContext.Current.CancellationToken);
        using var twice = await client.DeleteAsync($"/api/nodes/{node.Id}", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, twice.StatusCode);
        Assert.Equal(0, await app.WithDbAsync(db => db.Nodes.CountAsync()));
        Assert.Equal(0, await app.WithDbAsync(db => db.Schedules.CountAsync()));
        Assert.Equal(RunState.Succeeded, (await app.WithDbAsync(db => db.Runs.SingleAsync())).State);
        var permalink = await client.GetStringAsync($"/r/{finished.PublicToken}", TestContext.Current.CancellationToken);
        Assert.Contains(node.Name, permalink, StringComparison.Ordinal);

        using var again = await client.PostAsJsonAsync(
            "/api/nodes",
            new { name = node.Name, host = "198.18.0.9", port = 22, user = "bench", hostKeyFingerprint = Fingerprint, privateKeyPath = keyFile },
            TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Created, again.StatusCode);
    }

    [Fact]
    public async Task A_node_with_queued_runs_asks_first_then_cancels_them()
    {
        var node = Seed.Node();
        var queued = Seed.Run(node.Id, RunState.Queued);
        await app.WithDbAsync(async db =>
        {
            db.Nodes.Add(node);
            db.Runs.Add(queued);
            await db.SaveChangesAsync();
        });
        using var client = app.CreateApiClient();

        using var asked = await client.DeleteAsync($"/api/nodes/{node.Id}", TestContext.Current.CancellationToken);
        var problem = await asked.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Conflict, asked.StatusCode);
        Assert.Contains("cancelQueuedRuns=true", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(1, await app.WithDbAsync(db => db.Nodes.CountAsync()));

        using var confirmed = await client.DeleteAsync($"/api/nodes/{node.Id}?cancelQueuedRuns=true", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.NoContent, confirmed.StatusCode);
        Assert.Equal(RunState.Cancelled, (await app.WithDbAsync(db => db.Runs.SingleAsync())).State);
    }

    [Fact]
    public async Task A_node_a_run_is_measuring_on_is_not_deleted()
    {
        var node = Seed.Node();
        await app.WithDbAsync(async db =>
        {
            db.Nodes.Add(node);
            db.Runs.Add(Seed.Run(node.Id, RunState.Running));
            await db.SaveChangesAsync();
        });
        using var client = app.CreateApiClient();

        using var response = await client.DeleteAsync($"/api/nodes/{node.Id}?cancelQueuedRuns=true", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Equal(1, await app.WithDbAsync(db => db.Nodes.CountAsync()));
    }
}
