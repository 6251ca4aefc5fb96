using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using VPNLens.Core.Nodes;
using VPNLens.Core.Phases;
using VPNLens.Core.Regressions;
using VPNLens.Core.Results;
using VPNLens.Core.Runs;
using VPNLens.Core.Schedules;
using VPNLens.Core.Webhooks;

namespace VPNLens.Web.Persistence;

/// <summary>The app's model; on SQLite this type itself, on PostgreSQL its subclass with that provider's migrations.</summary>
public class AppDbContext : IdentityDbContext<IdentityUser>
{
    private readonly SecretsAtRest secrets;

    /// <summary>Options only (so the factory can pool contexts); the secrets come with them (UseSecretsAtRest).</summary>
    public AppDbContext(DbContextOptions<AppDbContext> options)
        : this((DbContextOptions)options)
    {
    }

    protected AppDbContext(DbContextOptions options)
        : base(options)
    {
        secrets = options.FindExtension<SecretsAtRestOptionsExtension>()?.Secrets
            ?? throw new InvalidOperationException("AppDbContext's options name no SecretsAtRest (UseSecretsAtRest).");
    }

    internal SecretsAtRest Secrets => secrets;

    public DbSet<Node> Nodes => Set<Node>();

    public DbSet<Run> Runs => Set<Run>();

    public DbSet<PhaseEvent> PhaseEvents => Set<PhaseEvent>();

    public DbSet<ProtocolResult> ProtocolResults => Set<ProtocolResult>();

    public DbSet<DailyFigure> DailyFigures => Set<DailyFigure>();

    public DbSet<WebhookDelivery> WebhookDeliveries => Set<WebhookDelivery>();

    public DbSet<ApiTokens.ApiToken> ApiTokens => Set<ApiTokens.ApiToken>();

    public DbSet<RunLease> RunLeases => Set<RunLease>();

    public DbSet<Schedule> Schedules => Set<Schedule>();

    public DbSet<ScheduledRun> ScheduledRuns => Set<ScheduledRun>();

    public DbSet<Alert> Alerts => Set<Alert>();

    public DbSet<SeriesWatch> SeriesWatches => Set<SeriesWatch>();

    public DbSet<AlertNotification> AlertNotifications => Set<AlertNotification>();

    public DbSet<WebhookEndpoint> WebhookEndpoints => Set<WebhookEndpoint>();

    public DbSet<WebhookAttempt> WebhookAttempts => Set<WebhookAttempt>();

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);
        builder.ApplyConfigurationsFromAssembly(typeof(AppDbContext).Assembly);
        builder.Entity<Run>().Property(r => r.CallbackSecret).HasConversion(secrets.Converter);
        builder.Entity<WebhookEndpoint>().Property(e => e.Secret).HasConversion(secrets.Converter);
    }

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        // SQLite cannot compare or order DateTimeOffset text; store instants as Unix milliseconds (on PostgreSQL too, one model for both).
        configurationBuilder.Properties<DateTimeOffset>().HaveConversion<UnixMillisecondsConverter>();
        configurationBuilder.Properties<TimeSpan>().HaveConversion<long>();
    }
}
