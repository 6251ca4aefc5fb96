using System.Text.Json;
using Hangfire;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using VPNLens.Web.Persistence;

namespace VPNLens.Web.Hosting;

public static class HealthExtensions
{
    public static IServiceCollection AddVpnLensHealthChecks(this IServiceCollection services)
    {
        services.AddHealthChecks()
            .AddDbContextCheck<AppDbContext>("database")
            .AddCheck<HangfireHealthCheck>("hangfire");
        return services;
    }

    public static IEndpointRouteBuilder MapVpnLensHealthChecks(this IEndpointRouteBuilder app)
    {
        app.MapHealthChecks("/healthz", new HealthCheckOptions
        {
            ResponseWriter = (context, report) =>
            {
                context.Response.ContentType = "application/json";
                return context.Response.WriteAsync(JsonSerializer.Serialize(new
                {
                    status = report.Status.ToString(),
                    checks = report.Entries.ToDictionary(e => e.Key, e => new { status = e.Value.Status.ToString(), e.Value.Description }),
                }));
            },
        }).AllowAnonymous();
        return app;
    }

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
