using Hangfire;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;
using VPNLens.Tests.Infrastructure;
using VPNLens.Web.Schedules;

namespace VPNLens.Tests.Web.Schedules;

/// <summary>The app on a fake clock, with the ticker removed (tests dispatch) and jobs recorded, not run.</summary>
internal static class ScheduleAppTests
{
    public static readonly DateTimeOffset Start = new(2026, 12, 5, 12, 0, 30, TimeSpan.Zero);

    public static VpnLensApp Create(FakeTimeProvider time) => new(configureServices: services =>
    {
        services.AddSingleton<TimeProvider>(time);
        services.AddSingleton<IBackgroundJobClient, RecordingJobClient>();
        var ticker = services.Single(d => d.ServiceType == typeof(IHostedService) && d.ImplementationType == typeof(ScheduleTicker));
        services.Remove(ticker);
    });
}
