using VPNLens.Core.Nodes;

namespace VPNLens.Core.Runs;

/// <summary>
/// What a run uses while it measures: its node and the VPN endpoint host the node measures against.
/// Runs that share any of these run one after the other, in queue order; runs that share none run side by side.
/// </summary>
public static class RunResources
{
    /// <summary>The endpoint of the seed's layout: the VPN servers run beside the control plane.</summary>
    public const string ControlPlaneEndpoint = "control-plane";

    public static IReadOnlyList<string> Of(Node node)
    {
        ArgumentNullException.ThrowIfNull(node);
        return Of(node.Id, node.Endpoint);
    }

    /// <summary>The resources of a run on this node (its id and endpoint); only the node itself when it is gone (no endpoint).</summary>
    public static IReadOnlyList<string> Of(Guid nodeId, string? endpoint) =>
        endpoint is null ? [$"node:{nodeId}"] : [$"node:{nodeId}", $"endpoint:{endpoint}"];
}

/// <summary>A resource held by a running run. One row per resource: the database refuses a second holder.</summary>
public sealed class RunLease
{
    public required string Resource { get; set; }

    public Guid RunId { get; set; }

    public DateTimeOffset TakenAt { get; set; }

    /// <summary>When the lease may be taken back even if its run never ended (the instance holding it died with its stop).</summary>
    public DateTimeOffset ExpiresAt { get; set; }
}
