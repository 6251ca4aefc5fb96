using Hangfire;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using VPNLens.Tests.Infrastructure;

namespace VPNLens.Tests.Web.Schedules;

/// <summary>The app on a fake clock with its Hangfire storage and server, the jobs its code enqueues recorded, not run.</summary>
internal static class ScheduleAppTests
{
    public static readonly DateTimeOffset Start = new(2026, 12, 5, 12, 0, 30, TimeSpan.Zero);

    public static VpnLensApp Create(FakeTimeProvider time, string? dataDirectory = null) => new(
        dataDirectory: dataDirectory,
        configureServices: services =>
        {
            services.AddSingleton<TimeProvider>(time);
            services.AddSingleton<IBackgroundJobClient, RecordingJobClient>();
        });
}
