using System.Text;
using Microsoft.AspNetCore.Http;
using StandardWebhooks;
using VPNLens.Core.Webhooks;

namespace VPNLens.Tests.Core.Webhooks;

public sealed class WebhookSignatureTests
{
    // The Standard Webhooks specification's published test vector.
    private const string SpecSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    private const string SpecId = "msg_p5jXN8AQM9LWM0D4loKWxJek";
    private const long SpecTimestamp = 1614265330;
    private const string SpecBody = "{\"test\": 2432232314}";
    private const string SpecSignature = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

    private static readonly DateTimeOffset SpecTime = DateTimeOffset.FromUnixTimeSeconds(SpecTimestamp);
    private static readonly byte[] Body = Encoding.UTF8.GetBytes(SpecBody);

    [Fact]
    public void Sign_matches_the_spec_test_vector() =>
        Assert.Equal(SpecSignature, WebhookSignature.Sign(WebhookSecret.Parse(SpecSecret), SpecId, SpecTimestamp, Body));

    [Fact]
    public void Verify_accepts_the_spec_test_vector() =>
        Assert.Equal(WebhookVerification.Valid, Verify(SpecSignature));

    [Fact]
    public void Verify_accepts_a_header_with_several_signatures_when_one_matches() =>
        Assert.Equal(WebhookVerification.Valid, Verify("v1,bm9wZQ== v2,abc " + SpecSignature));

    [Theory]
    [InlineData("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OA=")]
    [InlineData("v2,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")]
    [InlineData("g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")]
    [InlineData("v1,not base64!")]
    public void Verify_rejects_wrong_signatures(string signature) =>
        Assert.Equal(WebhookVerification.SignatureMismatch, Verify(signature));

    [Fact]
    public void Verify_rejects_a_changed_body()
    {
        var tampered = Encoding.UTF8.GetBytes("{\"test\": 2432232315}");
        Assert.Equal(
            WebhookVerification.SignatureMismatch,
            WebhookSignature.Verify(WebhookSecret.Parse(SpecSecret), SpecId, SpecTimestamp.ToString(System.Globalization.CultureInfo.InvariantCulture), SpecSignature, tampered, SpecTime));
    }

    [Theory]
    [InlineData(-301)]
    [InlineData(301)]
    public void Verify_rejects_timestamps_more_than_five_minutes_off(int skewSeconds) =>
        Assert.Equal(WebhookVerification.TimestampOutOfTolerance, Verify(SpecSignature, SpecTime.AddSeconds(-skewSeconds)));

    [Theory]
    [InlineData(-299)]
    [InlineData(299)]
    public void Verify_accepts_timestamps_within_five_minutes(int skewSeconds) =>
        Assert.Equal(WebhookVerification.Valid, Verify(SpecSignature, SpecTime.AddSeconds(skewSeconds)));

    [Fact]
    public void Verify_needs_every_header()
    {
        var secret = WebhookSecret.Parse(SpecSecret);
        Assert.Equal(WebhookVerification.MissingHeaders, WebhookSignature.Verify(secret, null, "1614265330", SpecSignature, Body, SpecTime));
        Assert.Equal(WebhookVerification.MissingHeaders, WebhookSignature.Verify(secret, SpecId, null, SpecSignature, Body, SpecTime));
        Assert.Equal(WebhookVerification.MissingHeaders, WebhookSignature.Verify(secret, SpecId, "1614265330", " ", Body, SpecTime));
        Assert.Equal(WebhookVerification.MalformedTimestamp, WebhookSignature.Verify(secret, SpecId, "16142653.30", SpecSignature, Body, SpecTime));
    }

    [Fact]
    public void An_off_the_shelf_verifier_accepts_our_signatures()
    {
        var secret = WebhookSecret.Generate();
        var now = DateTimeOffset.UtcNow;
        var body = "{\"protocol\":\"wireguard\"}";
        var signature = WebhookSignature.Sign(WebhookSecret.Parse(secret), "msg_run_1", now.ToUnixTimeSeconds(), Encoding.UTF8.GetBytes(body));
        var headers = new HeaderDictionary
        {
            ["webhook-id"] = "msg_run_1",
            ["webhook-timestamp"] = now.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["webhook-signature"] = signature,
        };

        new StandardWebhook(secret).Verify(body, headers);
    }

    [Fact]
    public void Generated_secrets_are_whsec_prefixed_and_distinct()
    {
        var a = WebhookSecret.Generate();
        var b = WebhookSecret.Generate();
        Assert.StartsWith("whsec_", a, StringComparison.Ordinal);
        Assert.NotEqual(a, b);
        Assert.Equal(32, Convert.FromBase64String(a["whsec_".Length..]).Length);
    }

    [Fact]
    public void A_secret_that_is_not_base64_is_refused() =>
        Assert.Throws<FormatException>(() => WebhookSecret.Parse("whsec_!!!"));

    private static WebhookVerification Verify(string signature, DateTimeOffset? now = null) =>
        WebhookSignature.Verify(WebhookSecret.Parse(SpecSecret), SpecId, SpecTimestamp.ToString(System.Globalization.CultureInfo.InvariantCulture), signature, Body, now ?? SpecTime);
}
