namespace VPNLens.Web.Schedules;

public static class ScheduleExtensions
{
    public static IServiceCollection AddSchedules(this IServiceCollection services)
    {
        services.AddOptions<ScheduleOptions>().BindConfiguration(ScheduleOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<ScheduleDispatcher>();
        services.AddSingleton<ScheduleBook>();
        services.AddHostedService<ScheduleTicker>();
        return services;
    }
}
