using System.Text;
using System.Text.Json;
using VPNLens.Core.Phases;
using VPNLens.Web.Runs;

namespace VPNLens.Tests.Web.ScaleOut;

public sealed class RunEventNoticeTests
{
    [Fact]
    public void A_phase_travels_with_its_row_so_the_receiver_reads_nothing_back()
    {
        var phase = Phase("median 640.5 Mbit/s");

        var payload = PostgresRunEventRelay.Payload(RunEventNotice.From("origin", new PhaseRecorded(phase.RunId, phase))!);

        var carried = JsonSerializer.Deserialize<RunEventNotice>(payload, PostgresRunEventRelay.Json)!.Phase;
        Assert.NotNull(carried);
        Assert.Equal((phase.Id, phase.Protocol, phase.Phase, phase.Status, phase.StartedAt, phase.EndedAt, phase.Detail, phase.ReceivedAt),
            (carried.Id, carried.Protocol, carried.Phase, carried.Status, carried.StartedAt, carried.EndedAt, carried.Detail, carried.ReceivedAt));
    }

    [Fact]
    public void A_phase_too_long_for_a_notify_payload_goes_by_its_id()
    {
        var phase = Phase(new string('x', 9_000));

        var payload = PostgresRunEventRelay.Payload(RunEventNotice.From("origin", new PhaseRecorded(phase.RunId, phase))!);

        Assert.True(Encoding.UTF8.GetByteCount(payload) < 8_000);
        var notice = JsonSerializer.Deserialize<RunEventNotice>(payload, PostgresRunEventRelay.Json)!;
        Assert.Null(notice.Phase);
        Assert.Equal(phase.Id, notice.PhaseId);
    }

    [Fact]
    public void Every_payload_begins_with_its_origin_so_an_instance_skips_its_own_notices_unparsed()
    {
        var phase = Phase("median 640.5 Mbit/s");
        RunEvent[] events = [new PhaseRecorded(phase.RunId, phase), new RunStateChanged(phase.RunId, VPNLens.Core.Runs.RunState.Succeeded, null), new RunEmailChanged(phase.RunId, VPNLens.Core.Runs.EmailStatus.Sent)];

        var payloads = events.Select(e => PostgresRunEventRelay.Payload(RunEventNotice.From("3f2a", e)!)).ToList();

        Assert.All(payloads, payload => Assert.StartsWith(PostgresRunEventRelay.OriginPrefix("3f2a"), payload, StringComparison.Ordinal));
        Assert.All(payloads, payload => Assert.False(payload.StartsWith(PostgresRunEventRelay.OriginPrefix("3f2"), StringComparison.Ordinal)));
    }

    private static PhaseEvent Phase(string detail) => new()
    {
        Id = 42,
        RunId = Guid.NewGuid(),
        Protocol = "wireguard",
        Phase = "tcp_download",
        Status = PhaseStatus.Succeeded,
        StartedAt = new DateTimeOffset(2026, 11, 25, 8, 0, 0, TimeSpan.Zero),
        EndedAt = new DateTimeOffset(2026, 11, 25, 8, 0, 1, 500, TimeSpan.Zero),
        Detail = detail,
        ReceivedAt = new DateTimeOffset(2026, 11, 25, 8, 0, 2, TimeSpan.Zero),
    };
}
