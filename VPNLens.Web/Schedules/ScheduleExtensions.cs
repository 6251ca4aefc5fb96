namespace VPNLens.Web.Schedules;

public static class ScheduleExtensions
{
    public static IServiceCollection AddSchedules(this IServiceCollection services)
    {
        services.AddSingleton<ScheduleDispatcher>();
        services.AddSingleton<ScheduleJobs>();
        services.AddSingleton<ScheduleBook>();
        services.AddTransient<ScheduleJob>();
        services.AddHostedService<ScheduleJobsAtStart>();
        return services;
    }
}
