using System.Globalization;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace VPNLens.Web.History;

/// <summary>
/// The readiness check "history-days": whether the stored days have been checked against the runs since this start
/// (<see cref="DailyRollupStartup"/>). Until then the check fails; a day-level answer is right all the same (a day whose
/// stored run count is not the runs' is read from them), only slower, so it is part of readiness, never of liveness.
/// A check that failed leaves the app degraded but ready: it will not get better before the next start.
/// </summary>
public sealed class DailyRollupReadiness : IHealthCheck
{
    public const string Name = "history-days";

    private readonly TaskCompletionSource<HealthCheckResult> ended = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes when the check of the stored days has ended, whether it wrote them or failed.</summary>
    public Task Ended => ended.Task;

    public void Reconciled(int days, TimeSpan took) => ended.TrySetResult(HealthCheckResult.Healthy(
        string.Create(CultureInfo.InvariantCulture, $"The stored days were checked against the runs at start: {days} day(s) written in {took.TotalSeconds:0.0} s.")));

    public void Failed(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        ended.TrySetResult(HealthCheckResult.Degraded(
            $"Checking the stored days against the runs failed ({exception.Message}); a day whose stored count differs is read from the runs until the next start.",
            exception));
    }

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        return Task.FromResult(ended.Task.IsCompleted
            ? ended.Task.Result
            : new HealthCheckResult(context.Registration.FailureStatus, "Checking the stored days of history against the runs; day-level answers are read from the runs where they differ until then."));
    }
}
