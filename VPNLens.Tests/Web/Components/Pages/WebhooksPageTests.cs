using Bunit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using VPNLens.Web.Components.Pages;
using VPNLens.Web.Notifications;

namespace VPNLens.Tests.Web.Components.Pages;

public sealed class WebhooksPageTests : MudTestContext, IAsyncLifetime
{
    public async ValueTask InitializeAsync()
    {
        await UseAppServicesAsync();
        Services.AddSingleton<WebhookEndpoints>();
    }

    [Fact]
    public async Task A_bad_url_is_named_and_a_good_endpoint_shows_its_secret_once_and_can_be_sent_a_test()
    {
        var page = Render<WebhooksPage>();
        Input(page, "webhook-name", "ntfy");
        Input(page, "webhook-url", "ntfy.example.com");
        await page.Find("[data-testid=add-webhook]").ClickAsync(new());

        page.WaitForAssertion(() => Assert.Contains("is not an absolute http:// or https:// URL", page.Markup, StringComparison.Ordinal));
        Assert.Equal(0, await CountAsync());

        Input(page, "webhook-url", "https://ntfy.example.com/vpnlens");
        await page.Find("[data-testid=add-webhook]").ClickAsync(new());

        page.WaitForAssertion(() => Assert.Contains("whsec_", page.Find("[data-testid=new-webhook-secret]").TextContent, StringComparison.Ordinal));
        Assert.Equal(1, await CountAsync());
        await page.Find("[data-testid=test-webhook]").ClickAsync(new());
        page.WaitForAssertion(() => Assert.Contains("msg_", page.Find("[data-testid=webhook-test-queued]").TextContent, StringComparison.Ordinal));
        Assert.Single(Jobs.Jobs, j => j.Job.Type == typeof(WebhookDeliveryJob));
    }

    private async Task<int> CountAsync()
    {
        await using var db = await Database.Factory.CreateDbContextAsync(Xunit.TestContext.Current.CancellationToken);
        return await db.WebhookEndpoints.CountAsync(Xunit.TestContext.Current.CancellationToken);
    }

    private static void Input(IRenderedComponent<WebhooksPage> page, string testId, string value)
    {
        var direct = page.FindAll($"input[data-testid={testId}]");
        (direct.Count > 0 ? direct[0] : page.Find($"[data-testid={testId}] input")).Change(value);
    }
}
