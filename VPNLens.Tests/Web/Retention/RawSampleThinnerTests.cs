using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using VPNLens.Core.Phases;
using VPNLens.Core.Results;
using VPNLens.Core.Runs;
using VPNLens.Tests.Infrastructure;
using VPNLens.Web.Persistence;
using VPNLens.Web.Retention;

namespace VPNLens.Tests.Web.Retention;

public sealed class RawSampleThinnerTests : IAsyncLifetime
{
    private readonly FakeTimeProvider time = new(DateTimeOffset.Parse("2026-12-05T08:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
    private TestDatabase database = null!;

    public async ValueTask InitializeAsync() => database = await TestDatabase.CreateAsync();

    public ValueTask DisposeAsync() => database.DisposeAsync();

    [Fact]
    public async Task Only_runs_that_finished_longer_ago_than_the_setting_are_thinned_once()
    {
        var node = Seed.Node();
        var old = Finished(node.Id, RunState.Succeeded, time.GetUtcNow() - TimeSpan.FromDays(31));
        var oldFailed = Finished(node.Id, RunState.Failed, time.GetUtcNow() - TimeSpan.FromDays(90));
        var recent = Finished(node.Id, RunState.Succeeded, time.GetUtcNow() - TimeSpan.FromDays(29));
        var running = Finished(node.Id, RunState.Running, time.GetUtcNow() - TimeSpan.FromDays(60));
        var queued = Seed.Run(node.Id, RunState.Queued);
        Run[] withResults = [old, oldFailed, recent, running];
        await database.AddAsync([node, .. withResults, queued]);
        await database.AddAsync([.. withResults.SelectMany(Rows)]);
        var thinner = Thinner(batchSize: 1);

        Assert.Equal(2, await thinner.ThinAsync(TestContext.Current.CancellationToken));

        Assert.True(await IsThinnedAsync(old.Id));
        Assert.True(await IsThinnedAsync(oldFailed.Id));
        Assert.False(await IsThinnedAsync(recent.Id));
        Assert.False(await IsThinnedAsync(running.Id));
        var details = await database.WithDbAsync(db => db.PhaseEvents.Where(e => e.RunId == old.Id)
            .ToDictionaryAsync(e => e.Status, e => e.Detail, TestContext.Current.CancellationToken));
        Assert.Null(details[PhaseStatus.Succeeded]);
        Assert.Equal("ping: 100% packet loss", details[PhaseStatus.Failed]);
        Assert.Equal(2, await database.WithDbAsync(db => db.PhaseEvents.CountAsync(e => e.RunId == old.Id, TestContext.Current.CancellationToken)));
        var thinnedBody = await BodyAsync(old.Id);

        Assert.Equal(0, await thinner.ThinAsync(TestContext.Current.CancellationToken));
        Assert.Equal(thinnedBody, await BodyAsync(old.Id));

        time.Advance(TimeSpan.FromDays(1) + TimeSpan.FromSeconds(1));
        Assert.Equal(1, await thinner.ThinAsync(TestContext.Current.CancellationToken));
        Assert.True(await IsThinnedAsync(recent.Id));
        Assert.False(await IsThinnedAsync(running.Id));
    }

    [Fact]
    public async Task Zero_days_keeps_everything()
    {
        var node = Seed.Node();
        var old = Finished(node.Id, RunState.Succeeded, time.GetUtcNow() - TimeSpan.FromDays(400));
        await database.AddAsync(node, old);

        Assert.Equal(0, await Thinner(batchSize: 10, days: 0).ThinAsync(TestContext.Current.CancellationToken));
        Assert.False(await IsThinnedAsync(old.Id));
    }

    [Fact]
    public async Task On_sqlite_the_pages_thinning_frees_are_handed_back_and_the_file_shrinks()
    {
        Assert.SkipWhen(TestPostgres.SuiteProvider == DatabaseProvider.Postgres, "PostgreSQL's autovacuum reclaims space on its own.");
        var node = Seed.Node();
        var old = Enumerable.Range(0, 40).Select(_ => Finished(node.Id, RunState.Succeeded, time.GetUtcNow() - TimeSpan.FromDays(60))).ToList();
        await database.AddAsync([node, .. old]);
        await database.AddAsync([.. old.SelectMany(Rows)]);
        await PragmaAsync("wal_checkpoint(TRUNCATE)");
        var before = await PragmaAsync("page_count");

        Assert.Equal(40, await Thinner(batchSize: 10).ThinAsync(TestContext.Current.CancellationToken));
        await PragmaAsync("wal_checkpoint(TRUNCATE)");

        Assert.Equal(2, await PragmaAsync("auto_vacuum"));
        Assert.Equal(0, await PragmaAsync("freelist_count"));
        Assert.True(await PragmaAsync("page_count") < before * 0.8, $"{await PragmaAsync("page_count")} pages of {before}");
    }

    private Task<long> PragmaAsync(string pragma) => database.WithDbAsync(async db =>
    {
        await db.Database.OpenConnectionAsync(TestContext.Current.CancellationToken);
        await using var command = db.Database.GetDbConnection().CreateCommand();
        command.CommandText = $"PRAGMA {pragma}";
        return Convert.ToInt64(await command.ExecuteScalarAsync(TestContext.Current.CancellationToken), System.Globalization.CultureInfo.InvariantCulture);
    });

    private RawSampleThinner Thinner(int batchSize, int days = 30) =>
        new(database.Factory, Options.Create(new RetentionOptions { RawSamplesDays = days, BatchSize = batchSize }), time);

    private static Run Finished(Guid nodeId, RunState state, DateTimeOffset finishedAt)
    {
        var run = Seed.Run(nodeId, state, protocols: ["wireguard", "tailscale", "nebula"]);
        run.FinishedAt = finishedAt;
        run.ResultsJson = Fixtures.FourProtocols();
        return run;
    }

    private IEnumerable<object> Rows(Run run)
    {
        yield return new ProtocolResult { RunId = run.Id, Protocol = "wireguard", Succeeded = true };
        yield return PhaseRow(run.Id, PhaseStatus.Succeeded, "iperf3 -c 10.0.0.2 -t 10 -J\n" + new string('x', 2000));
        yield return PhaseRow(run.Id, PhaseStatus.Failed, "ping: 100% packet loss");
    }

    private PhaseEvent PhaseRow(Guid runId, PhaseStatus status, string detail) => new()
    {
        RunId = runId,
        Protocol = "wireguard",
        Phase = status == PhaseStatus.Failed ? Phase.RungPing : Phase.TcpUpload,
        Status = status,
        StartedAt = time.GetUtcNow(),
        EndedAt = time.GetUtcNow(),
        ReceivedAt = time.GetUtcNow(),
        Detail = detail,
    };

    private Task<string?> BodyAsync(Guid runId) =>
        database.WithDbAsync(db => db.Runs.Where(r => r.Id == runId).Select(r => r.ResultsJson).SingleAsync(TestContext.Current.CancellationToken));

    private Task<bool> IsThinnedAsync(Guid runId) => database.WithDbAsync(async db =>
    {
        var run = await db.Runs.AsNoTracking().SingleAsync(r => r.Id == runId, TestContext.Current.CancellationToken);
        var thinned = run.SamplesRemovedAt is not null;
        Assert.Equal(thinned, !run.ResultsJson!.Contains("\"intervals\"", StringComparison.Ordinal));
        return thinned;
    });
}
