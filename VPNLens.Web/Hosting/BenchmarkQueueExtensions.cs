using Hangfire;
using VPNLens.Web.Callbacks;
using VPNLens.Web.Email;
using VPNLens.Web.Headscale;
using VPNLens.Web.Nodes;
using VPNLens.Web.Runs;

namespace VPNLens.Web.Hosting;

public static class BenchmarkQueueExtensions
{
    /// <summary>
    /// Hangfire (storage: <see cref="HangfireStorageExtensions.UseVpnLensStorage"/>) with one worker for benchmarks
    /// (strictly one run at a time, in order) and one for notifications.
    /// </summary>
    public static IServiceCollection AddBenchmarkQueue(this IServiceCollection services, IConfiguration configuration)
    {
        var deadline = configuration.GetSection(RunOptions.Section).Get<RunOptions>()?.Deadline ?? new RunOptions().Deadline;
        services.AddHangfire(config => config
            .SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
            .UseSimpleAssemblyNameTypeSerializer()
            .UseRecommendedSerializerSettings()
            .UseVpnLensStorage(configuration, deadline));
        services.AddHangfireServer(options =>
        {
            options.ServerName = $"{Environment.MachineName}:benchmarks";
            options.Queues = [RunQueue.QueueName];
            options.WorkerCount = 1;
            options.SchedulePollingInterval = TimeSpan.FromSeconds(1);
        });
        services.AddHangfireServer(options =>
        {
            options.ServerName = $"{Environment.MachineName}:notifications";
            options.Queues = [RunNotificationJob.QueueName];
            options.WorkerCount = 1;
            options.SchedulePollingInterval = TimeSpan.FromSeconds(1);
        });

        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<RunEvents>();
        services.AddSingleton<RunTransitions>();
        services.AddSingleton<RunQueue>();
        services.AddSingleton<RunSecrets>();
        services.AddSingleton<CallbackIntake>();
        services.AddSingleton<IRunFinishedNotifier, HangfireRunFinishedNotifier>();
        services.AddTransient<BenchmarkJob>();
        services.AddTransient<RunNotificationJob>();
        services.AddHostedService<RunReaper>();
        services.AddSingleton<SpentSecretEraser>();
        services.AddHostedService<SpentSecretSweeper>();
        services.AddHttpClient(nameof(HeadscaleKeys));
        services.AddSingleton<IHeadscaleKeys, HeadscaleKeys>();
        services.AddSingleton<IEmailSender, MailKitEmailSender>();
        return services;
    }

    public static IServiceCollection AddRemoteNodes(this IServiceCollection services)
    {
        services.AddSingleton(sp =>
        {
            var configured = sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<SshOptions>>().Value.ScriptsPath;
            var path = configured ?? Path.Combine(AppContext.BaseDirectory, "scripts");
            return new Lazy<ScriptBundle>(() => ScriptBundle.FromDirectory(path));
        });
        services.AddSingleton<IRemoteNodeClient, SshRemoteNodeClient>();
        return services;
    }
}
