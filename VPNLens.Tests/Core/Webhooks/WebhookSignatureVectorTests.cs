using VPNLens.Core.Webhooks;
using VPNLens.Tests.Infrastructure;

namespace VPNLens.Tests.Core.Webhooks;

/// <summary>The vectors the node's bash signer is tested on (scripts/test/fixtures/webhook/vectors.tsv): both sides sign alike.</summary>
public sealed class WebhookSignatureVectorTests
{
    public static TheoryData<string, string, long, string, string> Vectors()
    {
        var data = new TheoryData<string, string, long, string, string>();
        foreach (var line in File.ReadLines(Path.Combine(Repository.Scripts, "test", "fixtures", "webhook", "vectors.tsv")))
        {
            if (line.StartsWith('#'))
            {
                continue;
            }

            var f = line.Split('\t');
            data.Add(f[0], f[1], long.Parse(f[2], System.Globalization.CultureInfo.InvariantCulture), f[3], f[4]);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Vectors))]
    public void Sign_gives_the_shared_vector(string secret, string messageId, long timestamp, string bodyBase64, string signature) =>
        Assert.Equal(signature, WebhookSignature.Sign(WebhookSecret.Parse(secret), messageId, timestamp, Convert.FromBase64String(bodyBase64)));

    [Fact]
    public void The_shared_vectors_are_there() => Assert.Equal(3, Vectors().Count);
}
