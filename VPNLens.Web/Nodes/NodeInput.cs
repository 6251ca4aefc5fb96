using VPNLens.Core.Nodes;

namespace VPNLens.Web.Nodes;

/// <summary>A node as a person or automation submits it, checked before it is stored.</summary>
public sealed record NodeInput(string? Name, string? Host, int? Port, string? User, string? HostKeyFingerprint, string? PrivateKeyPath, string? Endpoint = null)
{
    /// <summary>The endpoint the node measures against; none given means the control plane.</summary>
    public string EndpointOrDefault => string.IsNullOrWhiteSpace(Endpoint) ? Core.Runs.RunResources.ControlPlaneEndpoint : Endpoint.Trim();

    /// <param name="knownEndpoints">The endpoints a node may name (<see cref="EndpointOptions.Known"/>).</param>
    public Dictionary<string, string[]> Validate(IReadOnlyList<string> knownEndpoints)
    {
        ArgumentNullException.ThrowIfNull(knownEndpoints);
        var errors = new Dictionary<string, string[]>();
        if (!knownEndpoints.Contains(EndpointOrDefault))
        {
            errors["endpoint"] = [$"endpoint must name a known VPN endpoint host: {string.Join(", ", knownEndpoints)} (configured in Endpoints:Names)."];
        }

        if (string.IsNullOrWhiteSpace(Name) || Name.Length > 100)
        {
            errors["name"] = ["name is required (at most 100 characters)."];
        }

        if (!NodeAddress.IsValidHost(Host?.Trim()))
        {
            errors["host"] = ["host must be a host name or IP address."];
        }

        if (Port is < 1 or > 65535)
        {
            errors["port"] = ["port must be between 1 and 65535."];
        }

        if (!NodeAddress.IsValidUser(User?.Trim()))
        {
            errors["user"] = ["user must be a POSIX user name: a letter or _, then letters, digits, '.', '_' or '-' (at most 32)."];
        }

        if (!HostKeyFingerprint_IsValid())
        {
            errors["hostKeyFingerprint"] = ["hostKeyFingerprint must look like SHA256:… (ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub on the node)."];
        }

        if (string.IsNullOrWhiteSpace(PrivateKeyPath))
        {
            errors["privateKeyPath"] = ["privateKeyPath is required: the control plane's private key for this node."];
        }
        else if (!File.Exists(PrivateKeyPath))
        {
            errors["privateKeyPath"] = [$"No file at {PrivateKeyPath} on the control plane."];
        }

        return errors;
    }

    public void ApplyTo(Node node)
    {
        ArgumentNullException.ThrowIfNull(node);
        node.Name = Name!.Trim();
        node.Host = Host!.Trim();
        node.Port = Port ?? 22;
        node.User = User!.Trim();
        node.HostKeyFingerprint = HostKeyFingerprint!.Trim();
        node.PrivateKeyPath = PrivateKeyPath!.Trim();
        node.Endpoint = EndpointOrDefault;
    }

    public Node ToNode(DateTimeOffset now) => new()
    {
        Name = Name!.Trim(),
        Host = Host!.Trim(),
        Port = Port ?? 22,
        User = User!.Trim(),
        HostKeyFingerprint = HostKeyFingerprint!.Trim(),
        PrivateKeyPath = PrivateKeyPath!.Trim(),
        Endpoint = EndpointOrDefault,
        CreatedAt = now,
    };

    private bool HostKeyFingerprint_IsValid() => Core.Nodes.HostKeyFingerprint.IsValid(HostKeyFingerprint?.Trim());
}
