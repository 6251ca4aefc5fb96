using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using VPNLens.Core.Phases;
using VPNLens.Core.Runs;
using VPNLens.Web.Persistence;

namespace VPNLens.Web.Runs;

/// <summary>
/// Carries run events between app instances that share one PostgreSQL database, with its own LISTEN/NOTIFY:
/// every event published here is also sent as a NOTIFY, and every instance LISTENs and publishes the other
/// instances' events locally, so a page or hub client on any instance follows a run whose callbacks land on another.
/// A notice names what changed (run, phase row, state); the receiver reads the rest from the database, which stays
/// the truth. Notices sent while an instance is not listening are lost to it; its pages catch up at the next event.
/// </summary>
public sealed class PostgresRunEventRelay(
    RunEvents events,
    DatabaseOptions database,
    IDbContextFactory<AppDbContext> dbFactory,
    TimeProvider time,
    ILogger<PostgresRunEventRelay> logger) : BackgroundService
{
    public const string ChannelName = "vpnlens_run_events";

    // PostgreSQL refuses a NOTIFY payload of 8,000 bytes or more.
    private const int MaxPayloadBytes = 7_000;
    private const int MaxNoticesPerBatch = 100;

    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    private readonly string origin = Guid.NewGuid().ToString("N");
    private readonly Channel<RunEvent> outbox = Channel.CreateUnbounded<RunEvent>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Channel<string> inbox = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
    private readonly TaskCompletionSource listening = new(TaskCreationOptions.RunContinuationsAsynchronously);

    // Every listener hears every NOTIFY, its own included; at a thousand callbacks a second, parsing its own adds up.
    private string OwnPrefix => field ??= OriginPrefix(origin);

    /// <summary>Completes once this instance listens for the others' events.</summary>
    public Task Listening => listening.Task;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await using var dataSource = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(database.ConnectionString) { KeepAlive = 15 });
        using var subscription = events.Subscribe(Enqueue);
        await Task.WhenAll(SendAsync(dataSource, stoppingToken), ListenAsync(dataSource, stoppingToken), RepublishAsync(stoppingToken));
    }

    private Task Enqueue(RunEvent runEvent)
    {
        if (!runEvent.FromAnotherInstance)
        {
            outbox.Writer.TryWrite(runEvent);
        }

        return Task.CompletedTask;
    }

    private async Task SendAsync(NpgsqlDataSource dataSource, CancellationToken stoppingToken)
    {
        // Whatever has queued up goes out in one round trip: one NOTIFY command per event, in order.
        var pending = new List<RunEvent>(MaxNoticesPerBatch);
        while (await outbox.Reader.WaitToReadAsync(stoppingToken))
        {
            while (pending.Count < MaxNoticesPerBatch && outbox.Reader.TryRead(out var runEvent))
            {
                pending.Add(runEvent);
            }

            var payloads = pending.Select(e => RunEventNotice.From(origin, e)).OfType<RunEventNotice>().Select(Payload).ToList();
            try
            {
                if (payloads.Count > 0)
                {
                    await using var batch = dataSource.CreateBatch();
                    foreach (var payload in payloads)
                    {
                        var command = new NpgsqlBatchCommand("SELECT pg_notify(@channel, @payload)");
                        command.Parameters.AddWithValue("channel", ChannelName);
                        command.Parameters.AddWithValue("payload", payload);
                        batch.BatchCommands.Add(command);
                    }

                    await batch.ExecuteNonQueryAsync(stoppingToken);
                }
            }
            catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
            {
                logger.LogWarning("{Count} run events did not reach the other instances: {Reason}", payloads.Count, ex.Message);
            }

            pending.Clear();
        }
    }

    /// <summary>How every payload from <paramref name="origin"/> begins: <see cref="Payload"/> writes the origin first.</summary>
    internal static string OriginPrefix(string origin) => $"{{\"origin\":\"{origin}\"";

    /// <summary>The notice as JSON; a phase whose row would not fit PostgreSQL's payload limit goes by its id alone.</summary>
    internal static string Payload(RunEventNotice notice)
    {
        var payload = JsonSerializer.Serialize(notice, Json);
        return notice.Phase is null || Encoding.UTF8.GetByteCount(payload) <= MaxPayloadBytes ? payload : JsonSerializer.Serialize(notice with { Phase = null }, Json);
    }

    private async Task ListenAsync(NpgsqlDataSource dataSource, CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = await dataSource.OpenConnectionAsync(stoppingToken);
                connection.Notification += (_, e) => inbox.Writer.TryWrite(e.Payload);
                await using (var command = new NpgsqlCommand($"LISTEN {ChannelName}", connection))
                {
                    await command.ExecuteNonQueryAsync(stoppingToken);
                }

                listening.TrySetResult();
                while (true)
                {
                    await connection.WaitAsync(stoppingToken);
                }
            }
            catch (Exception ex) when (ex is NpgsqlException or TimeoutException or IOException)
            {
                logger.LogWarning("Not listening for other instances' run events; trying again in 2 s: {Reason}", ex.Message);
                await Task.Delay(TimeSpan.FromSeconds(2), time, stoppingToken);
            }
        }
    }

    private async Task RepublishAsync(CancellationToken stoppingToken)
    {
        await foreach (var payload in inbox.Reader.ReadAllAsync(stoppingToken))
        {
            if (payload.StartsWith(OwnPrefix, StringComparison.Ordinal))
            {
                continue;
            }

            var notice = Parse(payload);
            if (notice is null || notice.Origin == origin)
            {
                continue;
            }

            try
            {
                var runEvent = await ToEventAsync(notice, stoppingToken);
                if (runEvent is not null)
                {
                    await events.PublishAsync(runEvent with { FromAnotherInstance = true });
                }
            }
            catch (Exception ex) when (ex is NpgsqlException or TimeoutException or InvalidOperationException)
            {
                logger.LogWarning("Could not read run {RunId}'s event from another instance: {Reason}", notice.RunId, ex.Message);
            }
        }
    }

    private RunEventNotice? Parse(string payload)
    {
        try
        {
            return JsonSerializer.Deserialize<RunEventNotice>(payload, Json);
        }
        catch (JsonException ex)
        {
            logger.LogWarning("Ignored a malformed run event notice: {Reason}", ex.Message);
            return null;
        }
    }

    private async Task<RunEvent?> ToEventAsync(RunEventNotice notice, CancellationToken cancellationToken)
    {
        if (notice is { Kind: RunEventNotice.PhaseKind, Phase: { } carried })
        {
            return new PhaseRecorded(notice.RunId, carried);
        }

        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        switch (notice.Kind)
        {
            case RunEventNotice.PhaseKind when notice.PhaseId is { } phaseId:
                var phase = await db.PhaseEvents.AsNoTracking().FirstOrDefaultAsync(p => p.Id == phaseId, cancellationToken);
                return phase is null ? null : new PhaseRecorded(notice.RunId, phase);
            case RunEventNotice.StateKind when notice.State is { } state:
                var reason = await db.Runs.Where(r => r.Id == notice.RunId).Select(r => r.FailureReason).FirstOrDefaultAsync(cancellationToken);
                return new RunStateChanged(notice.RunId, state, state.IsTerminal() ? reason : null);
            case RunEventNotice.EmailKind when notice.Email is { } email:
                return new RunEmailChanged(notice.RunId, email);
            default:
                return null;
        }
    }
}

/// <summary>
/// What a NOTIFY carries: which instance sent it and what changed (under PostgreSQL's 8,000-byte payload limit); a
/// phase comes with its stored row, so the receiver need not read it back, unless the row is too long for a payload.
/// </summary>
internal sealed record RunEventNotice(string Origin, string Kind, Guid RunId, long? PhaseId = null, RunState? State = null, EmailStatus? Email = null, PhaseEvent? Phase = null)
{
    public const string PhaseKind = "phase";
    public const string StateKind = "state";
    public const string EmailKind = "email";

    public static RunEventNotice? From(string origin, RunEvent runEvent) => runEvent switch
    {
        PhaseRecorded p => new RunEventNotice(origin, PhaseKind, p.RunId, PhaseId: p.Phase.Id, Phase: p.Phase),
        RunStateChanged s => new RunEventNotice(origin, StateKind, s.RunId, State: s.State),
        RunEmailChanged e => new RunEventNotice(origin, EmailKind, e.RunId, Email: e.Status),
        _ => null,
    };
}
