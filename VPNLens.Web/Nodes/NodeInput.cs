using VPNLens.Core.Nodes;

namespace VPNLens.Web.Nodes;

/// <summary>A node as a person or automation submits it, checked before it is stored.</summary>
public sealed record NodeInput(string? Name, string? Host, int? Port, string? User, string? HostKeyFingerprint, string? PrivateKeyPath)
{
    public Dictionary<string, string[]> Validate()
    {
        var errors = new Dictionary<string, string[]>();
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
    }

    public Node ToNode(DateTimeOffset now) => new()
    {
        Name = Name!.Trim(),
        Host = Host!.Trim(),
        Port = Port ?? 22,
        User = User!.Trim(),
        HostKeyFingerprint = HostKeyFingerprint!.Trim(),
        PrivateKeyPath = PrivateKeyPath!.Trim(),
        CreatedAt = now,
    };

    private bool HostKeyFingerprint_IsValid() => Core.Nodes.HostKeyFingerprint.IsValid(HostKeyFingerprint?.Trim());
}
