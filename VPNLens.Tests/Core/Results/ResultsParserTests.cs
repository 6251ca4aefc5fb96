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
        Assert.Equal("cubic", report.Environment!["congestionControl"].GetString());
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
    public void A_truncated_body_is_refused()
    {
        var body = Fixture();
        Assert.False(ResultsParser.Parse(body.AsSpan(0, body.Length / 2)).IsValid);
    }
}
