using System.Globalization;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using VPNLens.Core.Runs;
using VPNLens.Core.Webhooks;
using VPNLens.Tests.Infrastructure;
using VPNLens.Web.Callbacks;
using VPNLens.Web.Persistence;

namespace VPNLens.Tests.Web.Callbacks;

[Collection(AppCollection.Name)]
public sealed class PhaseBatchStoreTests : IAsyncLifetime
{
    private readonly VpnLensApp app = new(configureServices: VpnLensApp.WithoutDispatch);
    private readonly SqlCommandCounter commands;
    private Run running = null!;
    private Run ended = null!;

    // before the app makes its first context (see SqlCommandCounter)
    public PhaseBatchStoreTests() => commands = new SqlCommandCounter(() => app.DatabaseMarker);

    public async ValueTask InitializeAsync()
    {
        var node = Seed.Node(name: $"node-{Guid.NewGuid():N}");
        running = Seed.Run(node.Id);
        ended = Seed.Run(node.Id, RunState.Succeeded);
        await app.WithDbAsync(async db =>
        {
            db.Nodes.Add(node);
            db.Runs.AddRange(running, ended);
            await db.SaveChangesAsync();
        });
    }

    public async ValueTask DisposeAsync()
    {
        commands.Dispose();
        await app.DisposeAsync();
    }

    [Fact]
    public async Task A_batch_reads_its_runs_with_their_states_and_the_recorded_webhook_ids_nothing_more()
    {
        var store = app.Services.GetRequiredService<PhaseBatchStore>();
        var other = Seed.Run(running.NodeId);
        await app.WithDbAsync(async db =>
        {
            db.Runs.Add(other);
            await db.SaveChangesAsync();
        });
        commands.CountThisFlow();

        var outcomes = await store.TryWriteAsync(
            [Submit(running, "msg_1", "udp"), Submit(other, "msg_2", "udp"), Submit(running, "msg_3", "cpu")],
            TestContext.Current.CancellationToken);

        Assert.All(outcomes!, o => Assert.Equal(CallbackOutcome.Applied, o.Result.Outcome));
        Assert.Equal(2, commands.FlowReads);
    }

    [Fact]
    public async Task A_webhook_id_twice_in_one_batch_and_one_stored_before_are_stored_once_each()
    {
        var store = app.Services.GetRequiredService<PhaseBatchStore>();
        var before = await store.TryWriteAsync([Submit(running, "msg_before", "udp")], TestContext.Current.CancellationToken);
        Assert.Equal(CallbackOutcome.Applied, Assert.Single(before!).Result.Outcome);

        var outcomes = await store.TryWriteAsync(
            [Submit(running, "msg_twice", "tcp_upload"), Submit(running, "msg_twice", "tcp_upload"), Submit(running, "msg_before", "udp"), Submit(running, "msg_other", "cpu")],
            TestContext.Current.CancellationToken);

        Assert.Equal(
            [CallbackOutcome.Applied, CallbackOutcome.Duplicate, CallbackOutcome.Duplicate, CallbackOutcome.Applied],
            outcomes!.Select(o => o.Result.Outcome));
        var phases = await app.WithDbAsync(db => db.PhaseEvents.Where(e => e.RunId == running.Id).Select(e => e.Phase).OrderBy(p => p).ToListAsync());
        Assert.Equal(["cpu", "tcp_upload", "udp"], phases);
        Assert.Equal(3, await app.WithDbAsync(db => db.WebhookDeliveries.CountAsync(d => d.RunId == running.Id)));
    }

    [Fact]
    public async Task Each_member_gets_its_own_answer_and_only_the_applied_are_stored()
    {
        var store = app.Services.GetRequiredService<PhaseBatchStore>();
        var forged = new SignedMessage("msg_forged", Now(), "v1,AAAA", Encoding.UTF8.GetBytes(SignedCallbacks.Phase()));

        var outcomes = await store.TryWriteAsync(
            [Submit(running, "msg_ok", "udp"), new PhaseSubmission(running.Id, forged), Submit(ended, "msg_late", "udp"), new PhaseSubmission(Guid.NewGuid(), forged)],
            TestContext.Current.CancellationToken);

        Assert.Equal(
            [CallbackOutcome.Applied, CallbackOutcome.Unauthorized, CallbackOutcome.RunNotRunning, CallbackOutcome.UnknownRun],
            outcomes!.Select(o => o.Result.Outcome));
        Assert.Equal(["msg_ok"], await app.WithDbAsync(db => db.WebhookDeliveries.Select(d => d.MessageId).ToListAsync()));
        Assert.Equal(1, await app.WithDbAsync(db => db.PhaseEvents.CountAsync()));
    }

    [Fact]
    public async Task A_batch_that_fails_before_its_commit_stores_nothing_and_fails_every_member()
    {
        var factory = new FailingAfterSave(app.Services.GetRequiredService<IDbContextFactory<AppDbContext>>());
        var store = new PhaseBatchStore(factory, app.Services.GetRequiredService<CallbackIntake>(), TimeProvider.System);

        await Assert.ThrowsAsync<InvalidOperationException>(() =>
            store.TryWriteAsync([Submit(running, "msg_a", "udp"), Submit(running, "msg_b", "cpu")], TestContext.Current.CancellationToken));

        Assert.True(factory.Failed);
        Assert.Equal(0, await app.WithDbAsync(db => db.WebhookDeliveries.CountAsync()));
        Assert.Equal(0, await app.WithDbAsync(db => db.PhaseEvents.CountAsync()));
    }

    private static PhaseSubmission Submit(Run run, string messageId, string phase)
    {
        var body = Encoding.UTF8.GetBytes(SignedCallbacks.Phase(phase: phase));
        var at = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var signature = WebhookSignature.Sign(WebhookSecret.Parse(run.CallbackSecret), messageId, at, body);
        return new PhaseSubmission(run.Id, new SignedMessage(messageId, at.ToString(CultureInfo.InvariantCulture), signature, body));
    }

    private static string Now() => DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);

    /// <summary>Contexts whose save has sent its rows (inside the batch's transaction) and then fails, as a lost connection would.</summary>
    private sealed class FailingAfterSave(IDbContextFactory<AppDbContext> inner) : IDbContextFactory<AppDbContext>
    {
        public bool Failed { get; private set; }

        public AppDbContext CreateDbContext() => Failing(inner.CreateDbContext());

        public async Task<AppDbContext> CreateDbContextAsync(CancellationToken cancellationToken = default) => Failing(await inner.CreateDbContextAsync(cancellationToken));

        private AppDbContext Failing(AppDbContext db)
        {
            db.SavedChanges += (_, e) =>
            {
                Failed = e.EntitiesSavedCount > 0;
                throw new InvalidOperationException("the connection was lost before the commit");
            };
            return db;
        }
    }
}
