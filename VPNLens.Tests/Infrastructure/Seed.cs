using VPNLens.Core.Nodes;
using VPNLens.Core.Runs;
using VPNLens.Core.Webhooks;

namespace VPNLens.Tests.Infrastructure;

/// <summary>Rows the tests start from, written straight to the app's database.</summary>
public static class Seed
{
    public static Node Node(string name = "node1", string host = "127.0.0.1", int port = 22, string fingerprint = "SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU", string keyPath = "/nonexistent/key") => new()
    {
        Name = name,
        Host = host,
        Port = port,
        User = "root",
        HostKeyFingerprint = fingerprint,
        PrivateKeyPath = keyPath,
        CreatedAt = DateTimeOffset.UtcNow,
    };

    public static Run Run(Guid nodeId, RunState state = RunState.Running, TimeSpan? timeout = null, params string[] protocols)
    {
        var now = DateTimeOffset.UtcNow;
        var limit = timeout ?? TimeSpan.FromMinutes(10);
        return new Run
        {
            PublicToken = PublicToken.Generate(),
            RequesterEmail = "ops@example.com",
            NodeId = nodeId,
            Protocols = [.. Protocols.ExecutionOrder(protocols.Length == 0 ? ["wireguard", "nebula"] : protocols)],
            State = state,
            QueuedAt = now,
            StartedAt = state == RunState.Queued ? null : now,
            Timeout = limit,
            DeadlineAt = state == RunState.Queued ? null : now + limit,
            CallbackSecret = WebhookSecret.Generate(),
        };
    }
}
