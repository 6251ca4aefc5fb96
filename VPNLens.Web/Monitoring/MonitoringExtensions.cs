using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;
using Prometheus;
using VPNLens.Web.Api;

namespace VPNLens.Web.Monitoring;

public static class MonitoringExtensions
{
    public const string MetricsPolicy = "Metrics";

    public static IServiceCollection AddPrometheusMetrics(this IServiceCollection services)
    {
        services.AddOptions<MetricsOptions>().BindConfiguration(MetricsOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<MetricsOptions>, MetricsOptionsValidation>();
        services.AddSingleton<IAuthorizationHandler, MetricsAccessHandler>();
        services.AddAuthorizationBuilder().AddPolicy(MetricsPolicy, policy => policy
            .AddAuthenticationSchemes(ApiTokenAuthenticationHandler.SchemeName)
            .AddRequirements(new MetricsAccessRequirement()));
        services.AddSingleton<MetricsSnapshotReader>();
        services.AddSingleton<VpnLensMetrics>();
        return services;
    }

    /// <summary>GET /metrics in the Prometheus text format; 401 without a token from outside the allowed networks.</summary>
    public static IEndpointRouteBuilder MapPrometheusMetrics(this IEndpointRouteBuilder app)
    {
        var registry = app.ServiceProvider.GetRequiredService<VpnLensMetrics>().Registry;
        app.MapMetrics("/metrics", registry).RequireAuthorization(MetricsPolicy);
        return app;
    }
}
