using System.Text;
using VPNLens.Core.Phases;

namespace VPNLens.Tests.Core.Phases;

public sealed class PhaseReportTests
{
    private static readonly string[] RunProtocols = ["direct", "wireguard"];

    [Fact]
    public void Parses_a_phase_event()
    {
        var outcome = Parse("""{"protocol":"wireguard","phase":"tcp_upload","status":"succeeded","startedAt":"2026-11-25T08:00:00.123Z","endedAt":"2026-11-25T08:00:31.456Z","detail":"median 812.3 Mbit/s"}""");
        Assert.True(outcome.IsValid, outcome.Error);
        Assert.Equal(PhaseStatus.Succeeded, outcome.Value!.ParsedStatus);
        Assert.Equal(31.333, (outcome.Value.EndedAt - outcome.Value.StartedAt).TotalSeconds, 3);
    }

    [Theory]
    [InlineData("""{"protocol":"nebula","phase":"udp","status":"failed","startedAt":"2026-11-25T08:00:00Z","endedAt":"2026-11-25T08:00:01Z"}""", "protocol")]
    [InlineData("""{"protocol":"wireguard","phase":"warp","status":"failed","startedAt":"2026-11-25T08:00:00Z","endedAt":"2026-11-25T08:00:01Z"}""", "phase")]
    [InlineData("""{"protocol":"wireguard","phase":"udp","status":"meh","startedAt":"2026-11-25T08:00:00Z","endedAt":"2026-11-25T08:00:01Z"}""", "status")]
    [InlineData("""{"protocol":"wireguard","phase":"udp","status":"failed","startedAt":"2026-11-25T08:00:02Z","endedAt":"2026-11-25T08:00:01Z"}""", "endedAt")]
    [InlineData("""{"protocol":"wireguard",""", "JSON")]
    public void Refuses_events_that_do_not_fit_the_run(string body, string mentioned)
    {
        var outcome = Parse(body);
        Assert.False(outcome.IsValid);
        Assert.Contains(mentioned, outcome.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Phases_are_in_the_order_the_node_runs_them()
    {
        Assert.Equal(0, Phase.OrderOf(Phase.StopEverything));
        Assert.True(Phase.OrderOf(Phase.RungPing) < Phase.OrderOf(Phase.LatencyIdle));
        Assert.Equal(Phase.InOrder.Count - 1, Phase.OrderOf(Phase.Teardown));
    }

    private static VPNLens.Core.Results.ParseOutcome<PhaseReport> Parse(string json) => PhaseReport.Parse(Encoding.UTF8.GetBytes(json), RunProtocols);
}
