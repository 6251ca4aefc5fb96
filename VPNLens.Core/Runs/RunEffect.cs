namespace VPNLens.Core.Runs;

/// <summary>What must follow a move; the caller carries these out after the move is stored.</summary>
public enum RunEffect
{
    /// <summary>Connect to the node and start run.sh.</summary>
    StartRemoteScript,

    /// <summary>Stop run.sh by its process group and tear the node's VPNs down.</summary>
    StopRemoteScript,

    /// <summary>Free the node and endpoint the run held.</summary>
    ReleaseLeases,

    /// <summary>Tell the requester how the run ended.</summary>
    NotifyRequester,

    /// <summary>Start whichever queued runs can start now.</summary>
    DispatchNext,

    /// <summary>Read a finished run's results.json from the node and apply it as if it had been posted.</summary>
    FetchResults,

    /// <summary>Publish the new state to live pages.</summary>
    AnnounceState,
}
