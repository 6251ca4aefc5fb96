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
    /// Hangfire (storage: <see cref="HangfireStorageExtensions.UseVpnLensStorage"/>). Jobs are short: each benchmark job
    /// starts a chunk's run.sh scripts and returns; no worker waits while a node measures, so several workers serve the
    /// benchmark queue and notifications have their own. Dispatch rounds and the starts they commit run in process
    /// (<see cref="InProcessRunDispatch"/>, <see cref="InProcessRunStarts"/>), as Hangfire jobs only when a round fails
    /// or the instance is stopping.
    /// </summary>
    public static IServiceCollection AddBenchmarkQueue(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddHangfire(config => config
            .SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
            .UseSimpleAssemblyNameTypeSerializer()
            .UseRecommendedSerializerSettings()
            .UseVpnLensStorage(configuration));
        services.AddHangfireServer(options =>
        {
            options.ServerName = $"{Environment.MachineName}:benchmarks";
            options.Queues = [RunQueue.QueueName];
            options.WorkerCount = 4;
            options.SchedulePollingInterval = TimeSpan.FromSeconds(1);
        });
        // Workers only: the benchmarks server already moves every queue's delayed and recurring jobs and keeps the
        // storage tidy; a second set of schedulers would only poll (and take the same locks) as often again.
        services.AddHangfireServer(options =>
        {
            options.ServerName = $"{Environment.MachineName}:notifications";
            options.Queues = [RunNotificationJob.QueueName];
            options.WorkerCount = 1;
            options.IsLightweightServer = true;
        });

        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<RunEvents>();
        services.AddSingleton<RunTransitions>();
        services.AddSingleton<RunQueue>();
        services.AddSingleton<RunSecrets>();
        services.AddSingleton<CallbackIntake>();
        services.AddSingleton<ResultsIntakeLimit>();
        services.AddSingleton<PhaseBatchStore>();
        services.AddSingleton<PhaseBatchWriter>();
        services.AddHostedService(sp => sp.GetRequiredService<PhaseBatchWriter>());
        services.AddSingleton<IRunFinishedNotifier, HangfireRunFinishedNotifier>();
        services.AddSingleton<HangfireRunDispatchRequests>();
        services.AddSingleton(sp => new InProcessRunDispatch(
            () => sp.GetRequiredService<RunDispatcher>(), sp.GetRequiredService<HangfireRunDispatchRequests>(), sp.GetRequiredService<ILogger<InProcessRunDispatch>>()));
        services.AddSingleton<IRunDispatchRequests>(sp => sp.GetRequiredService<InProcessRunDispatch>());
        services.AddHostedService(sp => sp.GetRequiredService<InProcessRunDispatch>());
        services.AddSingleton<HangfireRunStarts>();
        services.AddSingleton(sp => new InProcessRunStarts(
            () => sp.GetRequiredService<BenchmarkJob>(), sp.GetRequiredService<HangfireRunStarts>(),
            sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<RunOptions>>(), sp.GetRequiredService<ILogger<InProcessRunStarts>>()));
        services.AddSingleton<IRunStarts>(sp => sp.GetRequiredService<InProcessRunStarts>());
        services.AddHostedService(sp => sp.GetRequiredService<InProcessRunStarts>());
        services.AddSingleton<RunResultsFetcher>();
        services.AddTransient<RunDispatcher>();
        services.AddTransient<BenchmarkJob>();
        services.AddTransient<RunNotificationJob>();
        services.AddHostedService<RunReaper>();
        services.AddSingleton<SpentSecretEraser>();
        services.AddHostedService<SpentSecretSweeper>();
        services.AddSingleton<Retention.RawSampleThinner>();
        services.AddHostedService<Retention.RawSampleSweeper>();
        services.AddHttpClient(nameof(HeadscaleKeys));
        services.AddSingleton<IHeadscaleKeys, HeadscaleKeys>();
        services.AddSingleton<IEmailSender, MailKitEmailSender>();
        return services;
    }

    public static IServiceCollection AddRemoteNodes(this IServiceCollection services)
    {
        services.AddSingleton<Microsoft.Extensions.Options.IValidateOptions<SshOptions>, ScriptsPathValidation>();
        services.AddOptions<EndpointOptions>().BindConfiguration(EndpointOptions.Section).ValidateOnStart();
        services.AddSingleton<Microsoft.Extensions.Options.IValidateOptions<EndpointOptions>, EndpointNamesAreValid>();
        services.AddSingleton(sp =>
        {
            var path = ScriptsPathValidation.DirectoryOf(sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<SshOptions>>().Value);

            // PublicationOnly: a failed read (the folder was unreadable for a moment) is tried again by the next run, not cached.
            return new Lazy<ScriptBundle>(() => ScriptBundle.FromDirectory(path), LazyThreadSafetyMode.PublicationOnly);
        });
        services.AddSingleton<IRemoteNodeClient, SshRemoteNodeClient>();
        return services;
    }
}
