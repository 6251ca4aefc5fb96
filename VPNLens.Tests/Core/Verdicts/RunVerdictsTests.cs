using VPNLens.Core.Verdicts;
using static VPNLens.Tests.Core.Verdicts.Reports;

namespace VPNLens.Tests.Core.Verdicts;

public sealed class RunVerdictsTests
{
    [Fact]
    public void A_clear_gap_is_called_with_its_interval()
    {
        var verdict = RunVerdicts.From(Run(
            Protocol("direct", uploadMbps: [1000, 1000, 1000]),
            Protocol("openvpn", uploadMbps: [500, 503, 505, 507, 510]),
            Protocol("wireguard", uploadMbps: [900, 905, 910, 915, 920])));

        var upload = verdict.For("tcp_upload")!;
        Assert.Equal(["wireguard", "openvpn"], upload.Ranking.Select(r => r.Protocol));
        Assert.Equal("91.0 % of direct", upload.Ranking[0].VersusDirect);
        var gap = Assert.Single(upload.Gaps);
        Assert.Equal(GapCall.Different, gap.Call);
        Assert.Equal("WireGuard 80.2 % faster than OpenVPN (95 % CI 77.5–82.9 %)", gap.Sentence);
    }

    [Fact]
    public void The_same_speed_twice_is_a_tie()
    {
        var verdict = RunVerdicts.From(Run(
            Protocol("wireguard", uploadMbps: [900, 910, 920, 905, 915]),
            Protocol("nebula", uploadMbps: [905, 915, 895, 910, 900])));

        var gap = Assert.Single(verdict.For("tcp_upload")!.Gaps);
        Assert.Equal(GapCall.WithinNoise, gap.Call);
        Assert.StartsWith("WireGuard and Nebula: no difference beyond the noise (", gap.Sentence, StringComparison.Ordinal);
    }

    [Fact]
    public void A_separated_gap_smaller_than_the_noise_floor_is_a_tie()
    {
        var verdict = RunVerdicts.From(Run(
            Protocol("wireguard", uploadMbps: [920, 921, 922, 923, 924]),
            Protocol("nebula", uploadMbps: [900, 901, 902, 903, 904])));

        Assert.Equal(GapCall.WithinNoise, Assert.Single(verdict.For("tcp_upload")!.Gaps).Call);
    }

    [Fact]
    public void Three_repetitions_each_are_too_few_to_call_even_a_wide_gap()
    {
        var verdict = RunVerdicts.From(Run(
            Protocol("openvpn", uploadMbps: [500, 505, 510]),
            Protocol("wireguard", uploadMbps: [900, 910, 920])));

        var gap = Assert.Single(verdict.For("tcp_upload")!.Gaps);
        Assert.Equal(GapCall.NoConfidence, gap.Call);
        Assert.Equal("WireGuard 80.2 % faster than OpenVPN (3 and 3 measurements are too few for an exact 95 % interval; 4 or more on each side are enough)", gap.Sentence);
    }

    [Fact]
    public void One_repetition_says_no_confidence_can_be_given()
    {
        var verdict = RunVerdicts.From(Run(
            Protocol("wireguard", uploadMbps: [900]),
            Protocol("nebula", uploadMbps: [500])));

        var gap = Assert.Single(verdict.For("tcp_upload")!.Gaps);
        Assert.Equal(GapCall.NoConfidence, gap.Call);
        Assert.Equal("WireGuard 80.0 % faster than Nebula (one repetition: no confidence can be given)", gap.Sentence);
        Assert.DoesNotContain("CI", gap.Sentence, StringComparison.Ordinal);
    }

    [Fact]
    public void A_zero_baseline_gives_no_share_of_direct()
    {
        var verdict = RunVerdicts.From(Run(
            Protocol("direct", uploadMbps: [0, 0, 0]),
            Protocol("wireguard", uploadMbps: [900, 910, 920])));

        var ranked = Assert.Single(verdict.For("tcp_upload")!.Ranking);
        Assert.Null(ranked.VersusDirect);
    }

    [Fact]
    public void Latency_reads_as_milliseconds_over_direct()
    {
        var verdict = RunVerdicts.From(Run(
            Protocol("direct", rttMs: [0.2, 0.21, 0.22, 0.23]),
            Protocol("wireguard", rttMs: [0.88, 0.89, 0.9, 0.91])));

        Assert.Equal("+0.680 ms over direct", Assert.Single(verdict.For("latency_idle_p50")!.Ranking).VersusDirect);
    }

    [Fact]
    public void Loss_reads_in_percentage_points_and_zero_loss_is_not_a_ratio()
    {
        var verdict = RunVerdicts.From(Run(
            Protocol("direct", udpLossPercent: [0, 0, 0, 0, 0]),
            Protocol("wireguard", udpLossPercent: [0, 0, 0, 0, 0]),
            Protocol("nebula", udpLossPercent: [2, 2.25, 2.5, 2.75, 3])));

        var loss = verdict.For("udp_loss")!;
        Assert.Equal("+0 pp over direct", loss.Ranking[0].VersusDirect);
        Assert.Equal("+2.50 pp over direct", loss.Ranking[1].VersusDirect);
        Assert.Equal("WireGuard loses 2.50 pp less than Nebula (95 % CI 2.00–3.00 pp)", Assert.Single(loss.Gaps).Sentence);
    }

    [Fact]
    public void A_single_measurement_metric_ranks_without_confidence()
    {
        var verdict = RunVerdicts.From(Run(
            Protocol("wireguard", setupMs: 120),
            Protocol("openvpn", setupMs: 1450)));

        var gap = Assert.Single(verdict.For("setup")!.Gaps);
        Assert.Equal(GapCall.NoConfidence, gap.Call);
        Assert.StartsWith("WireGuard comes up 1.33 s sooner than OpenVPN (", gap.Sentence, StringComparison.Ordinal);
    }

    [Fact]
    public void Failed_protocols_and_missing_figures_are_left_out()
    {
        var failed = Protocol("nebula", uploadMbps: [1]) with { Status = "failed" };
        var verdict = RunVerdicts.From(Run(Protocol("wireguard", uploadMbps: [900, 910]), failed));

        Assert.Equal(["wireguard"], verdict.For("tcp_upload")!.Ranking.Select(r => r.Protocol));
        Assert.Null(verdict.For("recovery"));
    }
}
