using Hangfire;
using Hangfire.Storage.SQLite;
using VPNLens.Web.Callbacks;
using VPNLens.Web.Email;
using VPNLens.Web.Headscale;
using VPNLens.Web.Nodes;
using VPNLens.Web.Runs;

namespace VPNLens.Web.Hosting;

public static class BenchmarkQueueExtensions
{
    /// <summary>
    /// Hangfire on its own SQLite file with one worker for benchmarks (strictly one run at a time, in order)
    /// and one for notifications. The storage's dequeue lock is in-process: run a single app process.
    /// </summary>
    public static IServiceCollection AddBenchmarkQueue(this IServiceCollection services, IConfiguration configuration)
    {
        var path = configuration.GetConnectionString("Hangfire") ?? "hangfire.db";
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        var deadline = configuration.GetSection(RunOptions.Section).Get<RunOptions>()?.Deadline ?? new RunOptions().Deadline;
        services.AddHangfire(config => config
            .SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
            .UseSimpleAssemblyNameTypeSerializer()
            .UseRecommendedSerializerSettings()
            .UseSQLiteStorage(path, new SQLiteStorageOptions
            {
                // Hangfire's 15 s default would leave an idle node waiting; a new run must start within 2 s.
                QueuePollInterval = TimeSpan.FromMilliseconds(500),

                // The storage never extends a running job's invisibility; a run holds its job for up to its
                // deadline plus teardown, so keep the job invisible far longer than that.
                InvisibilityTimeout = deadline * 3 + TimeSpan.FromHours(1),
            }));
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
