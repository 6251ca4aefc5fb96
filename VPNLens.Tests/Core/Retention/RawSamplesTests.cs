using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using VPNLens.Core.Results;
using VPNLens.Core.Retention;
using VPNLens.Core.Verdicts;
using VPNLens.Tests.Infrastructure;

namespace VPNLens.Tests.Core.Retention;

public sealed class RawSamplesTests
{
    private static readonly DateTimeOffset RemovedAt = DateTimeOffset.Parse("2026-12-05T08:00:00Z", System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public void Thinning_keeps_the_verdict_and_every_summary_figure_and_removes_the_per_second_samples()
    {
        var body = Fixtures.FourProtocols();
        var before = Parse(body);
        Assert.Contains(before.Protocols, p => (p.TcpUpload ?? []).Any(s => s.Intervals is { Count: > 0 }));

        var thinned = RawSamples.RemoveFromResults(body, RemovedAt);
        var after = Parse(thinned);

        Assert.Equal(Verdict(before), Verdict(after));
        Assert.Equal(Figures(before), Figures(after));
        Assert.DoesNotContain("\"intervals\"", thinned, StringComparison.Ordinal);
        Assert.Equal(RemovedAt, after.SamplesRemovedAt);
        Assert.Null(before.SamplesRemovedAt);
        Assert.Equal(
            before.Protocols.Select(p => p.LatencyIdle?.RttMs?.Count),
            after.Protocols.Select(p => p.LatencyIdle?.RttMs?.Count));
        Assert.True(Encoding.UTF8.GetByteCount(thinned) < Encoding.UTF8.GetByteCount(JsonNode.Parse(body)!.ToJsonString()));
    }

    [Fact]
    public void A_thinned_body_is_left_as_it_is()
    {
        var once = RawSamples.RemoveFromResults(Fixtures.FourProtocols(), RemovedAt);

        Assert.Equal(once, RawSamples.RemoveFromResults(once, RemovedAt.AddDays(1)));
    }

    [Fact]
    public void A_body_that_is_not_json_is_left_as_it_is() =>
        Assert.Equal("not json", RawSamples.RemoveFromResults("not json", RemovedAt));

    private static ResultsReport Parse(string body) => ResultsParser.Parse(Encoding.UTF8.GetBytes(body)).Value!;

    private static string Serialize<T>(T value) => JsonSerializer.Serialize(value, JsonSerializerOptions.Web);

    private static string Verdict(ResultsReport report)
    {
        var verdict = RunVerdicts.From(report);
        var figures = Serialize(new { Metrics = verdict.Metrics.Select(m => new { m.Metric.Key, m.Ranking, m.Gaps }), verdict.Noise, verdict.NoiseFloorPercent });
        Assert.Contains("\"median\"", figures, StringComparison.Ordinal);
        return figures;
    }

    private static string Figures(ResultsReport report) => Serialize(RunReport.From(report).Protocols
        .Select(p => p with { UploadIntervals = [], DownloadIntervals = [] }));
}
