using VPNLens.Core.Runs;

namespace VPNLens.Core.Nodes;

/// <summary>A Benchmark Node the control plane reaches over SSH.</summary>
public sealed class Node
{
    public Guid Id { get; set; } = Guid.NewGuid();

    public required string Name { get; set; }

    public required string Host { get; set; }

    public int Port { get; set; } = 22;

    public required string User { get; set; }

    /// <summary>The pinned host key, as "SHA256:" and unpadded base64 (what ssh-keygen -l prints).</summary>
    public required string HostKeyFingerprint { get; set; }

    /// <summary>Path of the private key file on the control plane, or a secret reference resolved at connect time.</summary>
    public required string PrivateKeyPath { get; set; }

    /// <summary>The VPN endpoint host this node measures against: <see cref="RunResources.ControlPlaneEndpoint"/> or a configured endpoint's name.</summary>
    public string Endpoint { get; set; } = RunResources.ControlPlaneEndpoint;

    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>The tools the last successful probe found on the node (null: never probed); the run form offers only what they allow.</summary>
    public List<string>? ProbedTools { get; set; }

    public DateTimeOffset? ProbedAt { get; set; }

    /// <summary>Whether the last successful probe found IPv6 on (null: never probed, or not known); a run over IPv6 needs it.</summary>
    public bool? ProbedIpv6 { get; set; }

    /// <summary>When the node was deleted: it is gone from lists and cannot be measured, while its runs keep its name.</summary>
    public DateTimeOffset? DeletedAt { get; set; }
}
