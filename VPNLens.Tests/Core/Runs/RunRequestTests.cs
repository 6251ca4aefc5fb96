using VPNLens.Core.Runs;

namespace VPNLens.Tests.Core.Runs;

public sealed class RunRequestTests
{
    private static readonly Guid Node = Guid.NewGuid();

    [Fact]
    public void A_complete_request_is_valid() =>
        Assert.Empty(new RunRequest(Node, ["wireguard", "nebula"], "ops@example.com").Validate());

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("not-an-email")]
    [InlineData("a@b")]
    [InlineData("Ops <ops@example.com>")]
    public void Bad_emails_are_refused(string? email) =>
        Assert.Contains("email", new RunRequest(Node, ["wireguard"], email).Validate().Keys);

    [Theory]
    [InlineData(null)]
    [InlineData(" ")]
    public void A_missing_email_is_called_required_not_invalid(string? email) =>
        Assert.Equal(["email is required: the run's link is sent to it."], new RunRequest(Node, ["wireguard"], email).Validate()["email"]);

    [Fact]
    public void Unknown_protocols_are_named_in_the_error()
    {
        var errors = new RunRequest(Node, ["wireguard", "tinc"], "ops@example.com").Validate();
        Assert.Contains("tinc", errors["protocols"][0], StringComparison.Ordinal);
    }

    [Fact]
    public void Direct_is_not_selectable_because_every_run_measures_it() =>
        Assert.Contains("protocols", new RunRequest(Node, ["direct"], "ops@example.com").Validate().Keys);

    [Fact]
    public void Missing_fields_are_each_reported()
    {
        var errors = new RunRequest(null, null, null).Validate();
        Assert.Equal(["email", "nodeId", "protocols"], errors.Keys.Order());
    }

    [Fact]
    public void Execution_order_puts_the_baseline_first_and_drops_repeats() =>
        Assert.Equal(["direct", "nebula", "wireguard"], Protocols.ExecutionOrder(["nebula", "wireguard", "nebula", "direct"]));

    [Fact]
    public void Public_tokens_are_long_url_safe_and_distinct()
    {
        var a = PublicToken.Generate();
        Assert.Equal(43, a.Length);
        Assert.DoesNotContain('+', a);
        Assert.DoesNotContain('/', a);
        Assert.NotEqual(a, PublicToken.Generate());
    }

    [Fact]
    public void Run_parameters_carry_the_callback_url_and_settings_but_no_empty_secrets()
    {
        var run = new Run { PublicToken = "t", RequesterEmail = "a@b.c", CallbackSecret = "whsec_AAAA", Protocols = ["direct", "wireguard"] };
        var json = RunParameters.For(run, new Uri("http://198.18.0.1:5080/")).ToJson();
        using var doc = System.Text.Json.JsonDocument.Parse(json);
        Assert.Equal($"http://198.18.0.1:5080/api/runs/{run.Id}", doc.RootElement.GetProperty("callbackUrl").GetString());
        Assert.Equal(10, doc.RootElement.GetProperty("settings").GetProperty("tcpSeconds").GetInt32());
        Assert.False(doc.RootElement.TryGetProperty("secrets", out _));
    }
}
