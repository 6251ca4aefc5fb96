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

public sealed class AppDbContext(DbContextOptions<AppDbContext> options) : IdentityDbContext<IdentityUser>(options)
{
    public DbSet<Node> Nodes => Set<Node>();

    public DbSet<Run> Runs => Set<Run>();

    public DbSet<PhaseEvent> PhaseEvents => Set<PhaseEvent>();

    public DbSet<ProtocolResult> ProtocolResults => Set<ProtocolResult>();

    public DbSet<WebhookDelivery> WebhookDeliveries => Set<WebhookDelivery>();

    public DbSet<Schedule> Schedules => Set<Schedule>();

    public DbSet<ScheduledRun> ScheduledRuns => Set<ScheduledRun>();

    public DbSet<Alert> Alerts => Set<Alert>();

    public DbSet<SeriesWatch> SeriesWatches => Set<SeriesWatch>();

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);
        builder.ApplyConfigurationsFromAssembly(typeof(AppDbContext).Assembly);
    }

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        // SQLite cannot compare or order DateTimeOffset text; store instants as Unix milliseconds.
        configurationBuilder.Properties<DateTimeOffset>().HaveConversion<UnixMillisecondsConverter>();
        configurationBuilder.Properties<TimeSpan>().HaveConversion<long>();
    }
}
