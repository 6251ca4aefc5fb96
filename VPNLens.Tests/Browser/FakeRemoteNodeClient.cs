using System.Collections.Concurrent;
using VPNLens.Core.Nodes;
using VPNLens.Core.Runs;
using VPNLens.Web.Nodes;

namespace VPNLens.Tests.Browser;

/// <summary>
/// Stands in for SSH in the browser test and the component tests: "starts" run.sh by remembering its parameters, so the
/// run becomes Running and the test plays the node's part by posting signed callbacks. The other tests use the real SSH
/// client or the lab.
/// </summary>
public sealed class FakeRemoteNodeClient : IRemoteNodeClient
{
    public ConcurrentQueue<RunParameters> Started { get; } = new();

    public Task<int> StartRunAsync(Node node, RunParameters parameters, CancellationToken cancellationToken)
    {
        Started.Enqueue(parameters);
        return Task.FromResult(4242);
    }

    public Task StopRunAsync(Node node, Guid runId, int? pid, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task<byte[]?> FetchResultsAsync(Node node, Guid runId, CancellationToken cancellationToken) => Task.FromResult<byte[]?>(null);

    public Task<NodeProbe> ProbeAsync(Node node, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(node);
        var tools = new Dictionary<string, string?>
        {
            ["bash"] = "/usr/bin/bash",
            ["curl"] = "/usr/bin/curl",
            ["jq"] = "/usr/bin/jq",
            ["openssl"] = "/usr/bin/openssl",
            ["iperf3"] = "/usr/bin/iperf3",
            ["ping"] = "/usr/bin/ping",
            ["ip"] = "/usr/sbin/ip",
            ["wg"] = "/usr/bin/wg",
            ["wg-quick"] = "/usr/bin/wg-quick",
            ["wireguard-go"] = "/usr/local/bin/wireguard-go",
            ["tailscale"] = "/usr/bin/tailscale",
            ["tailscaled"] = "/usr/sbin/tailscaled",
            ["nebula"] = "/usr/local/bin/nebula",
            ["openvpn"] = null,
            ["charon-systemd"] = null,
            ["swanctl"] = null,
        };
        return Task.FromResult(new NodeProbe(true, null, node.HostKeyFingerprint, tools));
    }
}
