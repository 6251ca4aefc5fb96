using System.Text;
using VPNLens.Core.Results;

namespace VPNLens.Tests.Core.Results;

public sealed class ResultsParserTests
{
    internal static byte[] Fixture() => File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Fixtures", "results-wireguard.json"));

    [Fact]
    public void Parses_the_contract_example()
    {
        var outcome = ResultsParser.Parse(Fixture());
        Assert.True(outcome.IsValid, outcome.Error);
        var report = outcome.Value!;
        Assert.Equal("succeeded", report.Status);
        Assert.Equal(["direct", "wireguard", "nebula"], report.Protocols.Select(p => p.Protocol));
        Assert.Equal(1420, report.Protocols[1].Mtu);
        Assert.Equal(1420, report.Protocols[1].PathMtu);
        Assert.Null(report.Protocols[0].PathMtu);
        Assert.Equal("cubic", report.Environment!["congestionControl"].GetString());
    }

    [Fact]
    public void Parallel_and_bidirectional_samples_become_their_own_figures()
    {
        var body = """
            {"status":"succeeded","protocols":[{"protocol":"wireguard","status":"succeeded","pathMtu":1360,
              "tcpParallel":[{"bitsPerSecond":4e8,"streams":4},{"bitsPerSecond":6e8,"streams":4}],
              "tcpBidir":[{"bitsPerSecond":3e8,"reverseBitsPerSecond":2e8,"streams":4}]}]}
            """u8.ToArray();
        var report = ResultsParser.Parse(body).Value!;
        var summary = ProtocolSummary.From(report.Protocols[0]);

        Assert.Equal(1360, report.Protocols[0].PathMtu);
        Assert.Equal(4, report.Protocols[0].TcpParallel![0].Streams);
        Assert.Equal(5e8, summary.ParallelUploadBitsPerSecond!.Median);
        Assert.Equal((3e8, 2e8), (summary.BidirUploadBitsPerSecond!.Median, summary.BidirDownloadBitsPerSecond!.Median));
    }

    [Theory]
    [InlineData("{\"status\":\"succeeded\",\"protocols\":[{\"protocol\":\"x\",\"status\":\"succeeded\",\"tcpParallel\":[{\"bitsPerSecond\":-1}]}]}")]
    [InlineData("{\"status\":\"succeeded\",\"protocols\":[{\"protocol\":\"x\",\"status\":\"succeeded\",\"tcpBidir\":[{\"bitsPerSecond\":1,\"reverseBitsPerSecond\":-1}]}]}")]
    public void A_negative_parallel_or_bidirectional_rate_is_refused(string body)
    {
        Assert.False(ResultsParser.Parse(Encoding.UTF8.GetBytes(body)).IsValid);
    }

    [Theory]
    [InlineData("{not json")]
    [InlineData("")]
    [InlineData("[1,2]")]
    [InlineData("{\"status\":\"succeeded\",\"protocols\":[{\"protocol\":\"x\",\"status\":\"ok\"}]}")]
    [InlineData("{\"status\":\"maybe\",\"protocols\":[]}")]
    [InlineData("{\"status\":\"succeeded\"}")]
    [InlineData("{\"status\":\"succeeded\",\"protocols\":[{\"protocol\":\"x\",\"status\":\"succeeded\",\"tcpUpload\":[{\"bitsPerSecond\":-1}]}]}")]
    [InlineData("{\"status\":\"succeeded\",\"protocols\":[{\"protocol\":\"x\",\"status\":\"succeeded\",\"latencyIdle\":{\"sent\":2,\"received\":3}}]}")]
    [InlineData("{\"status\":\"succeeded\",\"protocols\":[{\"protocol\":\"x\",\"status\":\"succeeded\",\"tcpUpload\":[{\"bitsPerSecond\":\"fast\"}]}]}")]
    public void Refuses_bad_bodies_with_a_reason(string body)
    {
        var outcome = ResultsParser.Parse(Encoding.UTF8.GetBytes(body));
        Assert.False(outcome.IsValid);
        Assert.False(string.IsNullOrWhiteSpace(outcome.Error));
    }

    [Fact]
    public void Results_the_node_is_still_writing_are_not_final()
    {
        var outcome = ResultsParser.Parse("{\"status\":\"running\",\"protocols\":[{\"protocol\":\"direct\",\"status\":\"succeeded\"}]}"u8.ToArray());

        Assert.False(outcome.IsValid);
        Assert.Contains("not final", outcome.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_truncated_body_is_refused()
    {
        var body = Fixture();
        Assert.False(ResultsParser.Parse(body.AsSpan(0, body.Length / 2)).IsValid);
    }
}
