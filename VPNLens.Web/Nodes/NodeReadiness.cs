namespace VPNLens.Web.Nodes;

/// <summary>Which tools a node needs, in all and per protocol, to read a probe's tool list.</summary>
public static class NodeReadiness
{
    public static IReadOnlyList<string> Required { get; } = ["bash", "curl", "jq", "openssl", "iperf3", "ping", "ip"];

    public static IReadOnlyDictionary<string, IReadOnlyList<string>> ByProtocol { get; } = new Dictionary<string, IReadOnlyList<string>>
    {
        [Core.Runs.Protocols.WireGuard] = ["wg", "wg-quick"],
        [Core.Runs.Protocols.Tailscale] = ["tailscale", "tailscaled"],
        [Core.Runs.Protocols.Nebula] = ["nebula"],
        [Core.Runs.Protocols.OpenVpn] = ["openvpn"],
        [Core.Runs.Protocols.Ipsec] = ["charon-systemd", "swanctl"],
    };

    public static bool Has(NodeProbe probe, string tool) =>
        probe?.Tools is not null && probe.Tools.TryGetValue(tool, out var path) && !string.IsNullOrEmpty(path);

    public static IEnumerable<string> Missing(NodeProbe probe, IEnumerable<string> tools) => tools.Where(t => !Has(probe, t));

    /// <summary>The tools present in a probe, as the node keeps them.</summary>
    public static List<string> Present(NodeProbe probe) =>
        [.. (probe?.Tools ?? new Dictionary<string, string?>()).Where(t => !string.IsNullOrEmpty(t.Value)).Select(t => t.Key).Order(StringComparer.Ordinal)];

    /// <summary>What the node's last probe did not find for <paramref name="protocol"/>; empty when it can run it or was never probed.</summary>
    public static IReadOnlyList<string> MissingFor(Core.Nodes.Node node, string protocol)
    {
        ArgumentNullException.ThrowIfNull(node);
        if (node.ProbedTools is not { } present)
        {
            return [];
        }

        var needed = Required.Concat(ByProtocol.TryGetValue(protocol, out var own) ? own : []);
        return [.. needed.Where(t => !present.Contains(t, StringComparer.Ordinal))];
    }
}
