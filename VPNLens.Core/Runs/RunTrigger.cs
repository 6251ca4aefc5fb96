namespace VPNLens.Core.Runs;

/// <summary>Something that happens to a run; <see cref="RunLifecycle"/> says whether and where it moves the run.</summary>
public enum RunTrigger
{
    /// <summary>The dispatcher took the run's leases: it starts now.</summary>
    Started,

    /// <summary>run.sh is running on the node under this process group.</summary>
    PidRecorded,

    /// <summary>The node reported a phase.</summary>
    PhaseArrived,

    /// <summary>Final results in which every protocol succeeded.</summary>
    ResultsSucceeded,

    /// <summary>Final results in which the run finished but some protocols failed.</summary>
    ResultsPartlyFailed,

    /// <summary>Final results saying the run itself failed.</summary>
    ResultsFailed,

    /// <summary>The deadline passed: look on the node for results that never arrived.</summary>
    DeadlinePassed,

    /// <summary>Past the deadline and the node has no results either.</summary>
    NothingToFetch,

    /// <summary>Someone cancelled the run.</summary>
    Cancelled,

    /// <summary>The run could not be started on its node.</summary>
    DispatchFailed,

    /// <summary>The script of an ended run was stopped (or could not be reached) and its VPNs torn down.</summary>
    RemoteStopped,

    /// <summary>The app started again and found the run as it was left.</summary>
    Recovered,
}
