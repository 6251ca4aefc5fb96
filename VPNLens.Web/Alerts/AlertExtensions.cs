using VPNLens.Web.History;

namespace VPNLens.Web.Alerts;

public static class AlertExtensions
{
    public static IServiceCollection AddRegressionAlerts(this IServiceCollection services)
    {
        services.AddSingleton<SeriesReader>();
        services.AddSingleton<AlertEvaluator>();
        services.AddSingleton<AlertBoard>();
        services.AddMemoryCache();
        services.AddSingleton<SeriesChangePoints>();
        services.AddSingleton<NodeHistory>();
        services.AddSingleton<DailyRollup>();
        services.AddSingleton<IDailyRollupReconcile>(sp => sp.GetRequiredService<DailyRollup>());
        services.AddSingleton<DailyRollupReadiness>();
        services.AddHostedService<DailyRollupStartup>();
        services.AddSingleton<DailySeries>();
        services.AddHostedService<DailyRollupWatcher>();
        services.AddSingleton<NodeTrends>();
        services.AddTransient<AlertEvaluationJob>();
        services.AddHostedService<RunEndWatcher>();
        return services;
    }
}
