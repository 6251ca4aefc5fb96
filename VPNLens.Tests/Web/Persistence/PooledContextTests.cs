using Microsoft.EntityFrameworkCore;
using VPNLens.Tests.Infrastructure;
using VPNLens.Web.Persistence;

namespace VPNLens.Tests.Web.Persistence;

public sealed class PooledContextTests : IAsyncLifetime
{
    private TestDatabase first = null!;
    private TestDatabase second = null!;

    public async ValueTask InitializeAsync()
    {
        first = await TestDatabase.CreateAsync();
        second = await TestDatabase.CreateAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await first.DisposeAsync();
        await second.DisposeAsync();
    }

    [Fact]
    public async Task A_disposed_context_is_handed_out_again()
    {
        AppDbContext used;
        await using (var db = await first.Factory.CreateDbContextAsync(TestContext.Current.CancellationToken))
        {
            used = db;
        }

        await using var again = await first.Factory.CreateDbContextAsync(TestContext.Current.CancellationToken);

        Assert.Same(used, again);
    }

    [Fact]
    public async Task Pooled_contexts_store_the_secret_protected_and_each_database_reads_its_own_back_with_its_own_keys()
    {
        var node = Seed.Node();
        var run = Seed.Run(node.Id);
        var otherNode = Seed.Node();
        var otherRun = Seed.Run(otherNode.Id);
        var secret = run.CallbackSecret;
        var otherSecret = otherRun.CallbackSecret;

        // Each database has its own ephemeral key ring: a model (and its converter) shared between them would
        // read the other's column with the wrong key, and an erased secret would come back.
        await first.AddAsync(node, run);
        await second.AddAsync(otherNode, otherRun);
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(secret, await first.WithDbAsync(db => db.Runs.Where(r => r.Id == run.Id).Select(r => r.CallbackSecret).SingleAsync()));
            Assert.Equal(otherSecret, await second.WithDbAsync(db => db.Runs.Where(r => r.Id == otherRun.Id).Select(r => r.CallbackSecret).SingleAsync()));
        }

        var stored = await first.WithDbAsync(db => db.Database
            .SqlQuery<string>($"SELECT \"CallbackSecret\" AS \"Value\" FROM \"Runs\" WHERE \"PublicToken\" = {run.PublicToken}")
            .SingleAsync());
        Assert.DoesNotContain("whsec_", stored, StringComparison.Ordinal);
        Assert.DoesNotContain(secret["whsec_".Length..], stored, StringComparison.Ordinal);
    }
}
