using Bunit;
using Hangfire;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using MudBlazor.Services;
using VPNLens.Tests.Infrastructure;
using VPNLens.Web.Components.Layout;
using VPNLens.Web.Email;
using VPNLens.Web.Nodes;
using VPNLens.Web.Runs;
using VPNLens.Web.Schedules;

namespace VPNLens.Tests.Web.Components;

/// <summary>
/// The one base for component tests: MudBlazor's services, loose JS interop (MudBlazor calls JS we do not test),
/// and on request the app's run services over a real SQLite file.
/// </summary>
public abstract class MudTestContext : BunitContext
{
    private TestDatabase? database;
    private TestHangfire? hangfire;

    static MudTestContext()
    {
        // Waits end as soon as the markup matches; the limit only matters when a test fails, and the machine may be busy.
        DefaultWaitTimeout = TimeSpan.FromSeconds(10);
    }

    protected MudTestContext()
    {
        JSInterop.Mode = JSRuntimeMode.Loose;
        Services.AddMudServices();
        Services.AddLogging();
    }

    protected TestDatabase Database => database ?? throw new InvalidOperationException("Call UseAppServicesAsync first.");

    /// <summary>The test database's marker once it exists, else null.</summary>
    protected string? DatabaseMarker => database?.Marker;

    /// <summary>The Hangfire storage the schedules' recurring jobs go to.</summary>
    protected TestHangfire HangfireStore => hangfire ?? throw new InvalidOperationException("Call UseAppServicesAsync first.");

    protected RecordingJobClient Jobs { get; } = new();

    protected RecordingNotifier Notifier { get; } = new();

    protected RecordingDispatchRequests Dispatches { get; } = new();

    /// <summary>The SMTP settings the pages see; clear Host for a server without email.</summary>
    protected SmtpOptions Smtp { get; } = new() { Host = "smtp.example.test" };

    /// <summary>Registers what the pages use (run events, snapshots, the queue) over a fresh database. Call before the first render.</summary>
    protected async Task UseAppServicesAsync()
    {
        database = await TestDatabase.CreateAsync();
        Services.AddSingleton(database.Factory);
        Services.AddSingleton(TimeProvider.System);
        Services.AddSingleton<RunEvents>();
        Services.AddSingleton<RunSnapshots>();
        Services.AddSingleton<ShowOffsets>();
        Services.AddSingleton<NodeCatalog>();
        Services.AddSingleton<IRunFinishedNotifier>(Notifier);
        Services.AddSingleton<IBackgroundJobClient>(Jobs);
        Services.AddSingleton<IRunDispatchRequests>(Dispatches);
        Services.AddSingleton<RunTransitions>();
        Services.AddSingleton<RunQueue>();
        Services.AddSingleton(Options.Create(new RunOptions()));
        Services.AddSingleton<IEmailSender>(new MailKitEmailSender(Options.Create(Smtp)));
        Services.AddSingleton(Options.Create(new EndpointOptions()));
        Services.AddSingleton<IRemoteNodeClient, Browser.FakeRemoteNodeClient>();
        hangfire = new TestHangfire();
        Services.AddSingleton<IRecurringJobManagerV2>(hangfire.Manager);
        Services.AddSingleton<ScheduleJobs>();
    }

    protected RunEvents Events => Services.GetRequiredService<RunEvents>();

    protected override async ValueTask DisposeAsyncCore()
    {
        await base.DisposeAsyncCore();
        if (database is not null)
        {
            await database.DisposeAsync();
        }

        hangfire?.Dispose();
    }
}
