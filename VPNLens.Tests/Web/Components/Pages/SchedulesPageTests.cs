using Bunit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using VPNLens.Core.Nodes;
using VPNLens.Core.Runs;
using VPNLens.Core.Schedules;
using VPNLens.Tests.Infrastructure;
using VPNLens.Web.Components.Pages;
using VPNLens.Web.Schedules;

namespace VPNLens.Tests.Web.Components.Pages;

public sealed class SchedulesPageTests : MudTestContext, IAsyncLifetime
{
    private Node node = null!;

    public async ValueTask InitializeAsync()
    {
        await UseAppServicesAsync();
        Services.AddSingleton<ScheduleBook>();
        node = Seed.Node("node1");
    }

    ValueTask IAsyncDisposable.DisposeAsync() => DisposeAsync();

    [Fact]
    public void Without_nodes_it_asks_for_one_first()
    {
        var page = Render<SchedulesPage>();

        Assert.Contains("add a node", page.Find("[data-testid=schedules-no-nodes]").TextContent, StringComparison.Ordinal);
        Assert.Empty(page.FindAll("[data-testid=add-schedule]"));
    }

    [Fact]
    public async Task A_bad_cron_and_a_bad_rule_are_shown_on_their_fields_and_nothing_is_stored()
    {
        await Database.AddAsync(node);
        var page = Render<SchedulesPage>();
        Assert.NotNull(page.Find("[data-testid=schedules-empty]"));

        page.Find("[data-testid=add-schedule]").Click();
        Field(page, "schedule-cron").Input("61 * * * *");
        Field(page, "schedule-email").Change("ops@example.com");
        Field(page, "schedule-m").Change("4");
        page.Find("[data-testid=save-schedule]").Click();

        page.WaitForAssertion(() => Assert.Contains("is not a five-field cron expression", FieldText(page, "schedule-cron"), StringComparison.Ordinal));
        Assert.Contains("M must be between 1 and N.", FieldText(page, "schedule-m"), StringComparison.Ordinal);
        Assert.Equal(0, await Database.WithDbAsync(db => db.Schedules.CountAsync()));
    }

    [Fact]
    public async Task A_valid_schedule_is_listed_with_its_next_run_and_can_be_paused_resumed_and_deleted_after_confirmation()
    {
        await Database.AddAsync(node);
        var page = Render<SchedulesPage>();

        page.Find("[data-testid=add-schedule]").Click();
        Field(page, "schedule-cron").Input("*/15 * * * *");
        Field(page, "schedule-email").Change("ops@example.com");
        page.Find("[data-testid=save-schedule]").Click();

        var row = page.WaitForElement("[data-testid=schedule-row]");
        Assert.Contains("Next run", row.QuerySelector("[data-testid=schedule-next]")!.TextContent, StringComparison.Ordinal);
        var stored = await Database.WithDbAsync(db => db.Schedules.SingleAsync());
        Assert.Equal((node.Id, "*/15 * * * *", "UTC", 3, 3), (stored.NodeId, stored.Cron, stored.TimeZone, stored.AlertM, stored.AlertN));
        var job = Assert.Single(TestHangfire.RecurringJobs(HangfireStore.Storage));
        Assert.Equal((ScheduleJobs.IdOf(stored.Id), "*/15 * * * *", "UTC"), (job.Id, job.Cron, job.TimeZoneId));

        page.Find("[data-testid=pause-schedule]").Click();
        page.WaitForAssertion(() => Assert.Equal("true", page.Find("[data-testid=schedule-row]").GetAttribute("data-paused")));
        Assert.Contains("No next run while paused", page.Find("[data-testid=schedule-next]").TextContent, StringComparison.Ordinal);
        Assert.Empty(TestHangfire.RecurringJobs(HangfireStore.Storage));
        page.Find("[data-testid=pause-schedule]").Click();
        page.WaitForAssertion(() => Assert.Equal("false", page.Find("[data-testid=schedule-row]").GetAttribute("data-paused")));
        Assert.Equal(ScheduleJobs.IdOf(stored.Id), Assert.Single(TestHangfire.RecurringJobs(HangfireStore.Storage)).Id);

        page.Find("[data-testid=delete-schedule]").Click();
        Assert.NotNull(page.Find("[data-testid=confirm-delete]"));
        Assert.Equal(1, await Database.WithDbAsync(db => db.Schedules.CountAsync()));
        page.Find("[data-testid=confirm-delete-yes]").Click();
        page.WaitForAssertion(() => Assert.Empty(page.FindAll("[data-testid=schedule-row]")));
        Assert.Equal(0, await Database.WithDbAsync(db => db.Schedules.CountAsync()));
        Assert.Empty(TestHangfire.RecurringJobs(HangfireStore.Storage));
    }

    [Fact]
    public async Task Editing_keeps_the_schedule_and_shows_its_values()
    {
        await Database.AddAsync(node);
        var schedule = new Schedule { NodeId = node.Id, Protocols = ["nebula"], Cron = "0 3 * * 1", TimeZone = "Europe/Berlin", Email = "ops@example.com", AlertM = 2, AlertN = 4 };
        await Database.AddAsync(schedule);
        var page = Render<SchedulesPage>();

        page.Find("[data-testid=edit-schedule]").Click();

        Assert.Equal("0 3 * * 1", Field(page, "schedule-cron").GetAttribute("value"));
        Assert.Equal("Europe/Berlin", Field(page, "schedule-zone").GetAttribute("value"));
        Field(page, "schedule-zone").Change("Mars/Olympus");
        page.Find("[data-testid=save-schedule]").Click();
        page.WaitForAssertion(() => Assert.Contains("is not a known time zone", FieldText(page, "schedule-zone"), StringComparison.Ordinal));
        Assert.Equal("Europe/Berlin", (await Database.WithDbAsync(db => db.Schedules.SingleAsync())).TimeZone);
    }

    [Fact]
    public async Task The_run_settings_panel_names_a_bad_setting_on_its_field_and_stores_the_chosen_ones()
    {
        await Database.AddAsync(node);
        var page = Render<SchedulesPage>();
        page.Find("[data-testid=add-schedule]").Click();
        var before = page.Find("[data-testid=run-estimate]").TextContent;
        Field(page, "schedule-email").Change("ops@example.com");
        page.Find("[data-testid=run-settings] .mud-expand-panel-header").Click();

        page.Find("input[data-testid=setting-repeats]").Change("0");
        page.Find("[data-testid=save-schedule]").Click();

        page.WaitForAssertion(() => Assert.Equal("true", page.Find("input[data-testid=setting-repeats]").GetAttribute("aria-invalid")));
        Assert.Contains("Repeats must be between 1 and 20", page.Markup, StringComparison.Ordinal);
        Assert.Contains("Fix the settings", page.Find("[data-testid=run-estimate]").TextContent, StringComparison.Ordinal);
        Assert.Equal(0, await Database.WithDbAsync(db => db.Schedules.CountAsync()));

        page.Find("input[data-testid=setting-repeats]").Change("");
        page.Find("input[data-testid=setting-tcpSeconds]").Change("60");
        Assert.StartsWith("About ", page.Find("[data-testid=run-estimate]").TextContent, StringComparison.Ordinal);
        Assert.NotEqual(before, page.Find("[data-testid=run-estimate]").TextContent);
        page.Find("[data-testid=save-schedule]").Click();

        var row = page.WaitForElement("[data-testid=schedule-row]");
        var stored = await Database.WithDbAsync(db => db.Schedules.SingleAsync());
        Assert.Equal(new RunSettingsRequest(60, null, null, null, null, null), stored.Settings);
        Assert.Equal("Run settings: TCP 60 s; the rest default", row.QuerySelector("[data-testid=schedule-settings]")!.TextContent);
    }

    [Fact]
    public async Task Editing_shows_the_schedules_own_settings_and_an_emptied_field_goes_back_to_the_default()
    {
        await Database.AddAsync(node);
        var schedule = new Schedule { NodeId = node.Id, Protocols = ["wireguard"], Cron = "0 * * * *", Email = "ops@example.com", Settings = new RunSettingsRequest(45, null, 5, null, null, null) };
        await Database.AddAsync(schedule);
        var page = Render<SchedulesPage>();

        page.Find("[data-testid=edit-schedule]").Click();
        page.Find("[data-testid=run-settings] .mud-expand-panel-header").Click();

        Assert.Equal("45", page.Find("input[data-testid=setting-tcpSeconds]").GetAttribute("value"));
        Assert.Equal("5", page.Find("input[data-testid=setting-repeats]").GetAttribute("value"));
        page.Find("input[data-testid=setting-tcpSeconds]").Change("");
        page.Find("[data-testid=save-schedule]").Click();
        page.WaitForAssertion(() => Assert.Empty(page.FindAll("[data-testid=schedule-editor]")));
        Assert.Equal(new RunSettingsRequest(null, null, 5, null, null, null), (await Database.WithDbAsync(db => db.Schedules.SingleAsync())).Settings);
    }

    private static AngleSharp.Dom.IElement Field(IRenderedComponent<SchedulesPage> page, string testId)
    {
        var direct = page.FindAll($"input[data-testid={testId}]");
        return direct.Count > 0 ? direct[0] : page.Find($"[data-testid={testId}] input");
    }

    private static string FieldText(IRenderedComponent<SchedulesPage> page, string testId) =>
        Field(page, testId).Closest(".mud-input-control")!.TextContent;
}
