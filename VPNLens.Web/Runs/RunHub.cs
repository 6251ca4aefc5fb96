using Microsoft.AspNetCore.SignalR;
using VPNLens.Web.Api;

namespace VPNLens.Web.Runs;

/// <summary>
/// Live phase and state pushes for clients that are not Blazor pages (benchmarks, automation).
/// A client calls JoinRun(runId) and then receives "phase" (a <see cref="PhaseDto"/>) and "state" (a <see cref="RunStatePush"/>) messages for that run.
/// </summary>
public sealed class RunHub : Hub
{
    public const string Path = "/hubs/runs";
    public const string PhaseMessage = "phase";
    public const string StateMessage = "state";

    public static string GroupFor(Guid runId) => $"run:{runId}";

    public Task JoinRun(Guid runId) => Groups.AddToGroupAsync(Context.ConnectionId, GroupFor(runId), Context.ConnectionAborted);

    public Task LeaveRun(Guid runId) => Groups.RemoveFromGroupAsync(Context.ConnectionId, GroupFor(runId), Context.ConnectionAborted);
}

public sealed record RunStatePush(Guid RunId, string State, string? Reason);

/// <summary>Forwards in-process run events to the hub group of each run.</summary>
public sealed class RunHubBridge(RunEvents events, IHubContext<RunHub> hub) : RunEventSubscriber(events)
{
    protected override Task HandleAsync(RunEvent runEvent) => runEvent switch
    {
        PhaseRecorded phase => hub.Clients.Group(RunHub.GroupFor(phase.RunId)).SendAsync(RunHub.PhaseMessage, PhaseDto.From(phase.Phase)),
        RunStateChanged state => hub.Clients.Group(RunHub.GroupFor(state.RunId)).SendAsync(RunHub.StateMessage, new RunStatePush(state.RunId, state.State.ToString(), state.Reason)),
        _ => Task.CompletedTask,
    };
}
