using Hangfire;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using VPNLens.Tests.Infrastructure;

namespace VPNLens.Tests.Web.Notifications;

/// <summary>The app on a fake clock with its Hangfire jobs recorded, for a test to run them (once, or again) itself.</summary>
public static class NotificationApp
{
    public static readonly DateTimeOffset Start = new(2026, 12, 5, 12, 0, 0, TimeSpan.Zero);

    public static VpnLensApp Create(FakeTimeProvider time, RecordingJobClient jobs, IDictionary<string, string?>? settings = null) => new(
        settings: settings,
        configureServices: services =>
        {
            services.AddSingleton<TimeProvider>(time);
            services.AddSingleton<IBackgroundJobClient>(jobs);
        });

    /// <summary>Runs every recorded job of type T, as a Hangfire worker would, and forgets them.</summary>
    public static async Task<int> RunJobsAsync<T>(this VpnLensApp app, RecordingJobClient jobs)
    {
        var ran = 0;
        foreach (var (job, _) in jobs.Jobs.Where(j => j.Job.Type == typeof(T)).ToList())
        {
            await using var scope = app.Services.CreateAsyncScope();
            var instance = scope.ServiceProvider.GetRequiredService(job.Type);
            await (Task)job.Method.Invoke(instance, [.. job.Args.Select(a => a ?? CancellationToken.None)])!;
            ran++;
        }

        return ran;
    }

    public static int Count<T>(this RecordingJobClient jobs) => jobs.Jobs.Count(j => j.Job.Type == typeof(T));
}
