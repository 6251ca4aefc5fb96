namespace VPNLens.Web.Schedules;

/// <summary>Brings the schedules' recurring jobs in line with the database as the app starts (<see cref="ScheduleJobs.ReconcileAsync"/>).</summary>
public sealed class ScheduleJobsAtStart(ScheduleJobs jobs) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => jobs.ReconcileAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
