using System.Text.Json;
using Hangfire;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using VPNLens.Web.History;
using VPNLens.Web.Persistence;

namespace VPNLens.Web.Hosting;

/// <summary>
/// Liveness at /healthz: the database and Hangfire, answered as soon as the app serves. Readiness at /readyz: those and
/// the checks tagged <see cref="ReadyTag"/>, which fail while work started with the app is still under way (the stored
/// days of history, <see cref="DailyRollupReadiness"/>). Both anonymous, 200 when healthy or degraded, 503 otherwise.
/// </summary>
public static class HealthExtensions
{
    /// <summary>The tag of a check that only readiness asks.</summary>
    public const string ReadyTag = "ready";

    public static IServiceCollection AddVpnLensHealthChecks(this IServiceCollection services)
    {
        services.AddHealthChecks()
            .AddDbContextCheck<AppDbContext>("database")
            .AddCheck<HangfireHealthCheck>("hangfire")
            .AddCheck<DailyRollupReadiness>(DailyRollupReadiness.Name, tags: [ReadyTag]);
        return services;
    }

    public static IEndpointRouteBuilder MapVpnLensHealthChecks(this IEndpointRouteBuilder app)
    {
        app.MapHealthChecks("/healthz", Answering(check => !check.Tags.Contains(ReadyTag))).AllowAnonymous();
        app.MapHealthChecks("/readyz", Answering(_ => true)).AllowAnonymous();
        return app;
    }

    private static HealthCheckOptions Answering(Func<HealthCheckRegistration, bool> predicate) => new()
    {
        Predicate = predicate,
        ResponseWriter = (context, report) =>
        {
            context.Response.ContentType = "application/json";
            return context.Response.WriteAsync(JsonSerializer.Serialize(new
            {
                status = report.Status.ToString(),
                checks = report.Entries.ToDictionary(e => e.Key, e => new { status = e.Value.Status.ToString(), e.Value.Description }),
            }));
        },
    };

    private sealed class HangfireHealthCheck(JobStorage storage) : IHealthCheck
    {
        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            var servers = storage.GetMonitoringApi().Servers();
            return Task.FromResult(servers.Count > 0
                ? HealthCheckResult.Healthy($"{servers.Count} Hangfire server(s), {servers.Sum(s => s.WorkersCount)} worker(s)")
                : HealthCheckResult.Unhealthy("No Hangfire server is running."));
        }
    }
}
