using VPNLens.Core.Nodes;
using VPNLens.Core.Runs;

namespace VPNLens.Web.Nodes;

/// <summary>What the control plane does on a Benchmark Node. The only seam to SSH.</summary>
public interface IRemoteNodeClient
{
    /// <summary>Uploads the scripts if they changed, writes the run's parameters and starts run.sh detached; returns its process group id.</summary>
    Task<int> StartRunAsync(Node node, RunParameters parameters, CancellationToken cancellationToken);

    /// <summary>Stops a run's script by its process group and tears down every VPN on the node. Idempotent.</summary>
    Task StopRunAsync(Node node, Guid runId, int? pid, CancellationToken cancellationToken);

    /// <summary>
    /// The results.json a finished run left in its run directory (run.sh writes it atomically when it ends, whether or
    /// not the post reached us), or null when the run has not finished there.
    /// </summary>
    Task<byte[]?> FetchResultsAsync(Node node, Guid runId, CancellationToken cancellationToken);

    /// <summary>Connects, checks the host key and reports which tools the node has and whether it has IPv6.</summary>
    Task<NodeProbe> ProbeAsync(Node node, CancellationToken cancellationToken);
}

/// <param name="Ipv6">Whether the node has IPv6 on (/proc/net/if_inet6 and net.ipv6.conf.all.disable_ipv6 = 0); null: not known.</param>
public sealed record NodeProbe(bool Reachable, string? Error, string? PresentedFingerprint, IReadOnlyDictionary<string, string?> Tools, bool? Ipv6 = null);

/// <summary>A node could not be reached or refused us; the message says why in words a person can act on.</summary>
public sealed class RemoteNodeException(string message, Exception? inner = null) : Exception(message, inner);
