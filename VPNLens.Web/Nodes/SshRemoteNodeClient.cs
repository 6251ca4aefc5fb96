using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Options;
using Renci.SshNet;
using Renci.SshNet.Common;
using VPNLens.Core.Nodes;
using VPNLens.Core.Runs;

namespace VPNLens.Web.Nodes;

/// <summary>Reaches nodes with SSH.NET: key authentication, the pinned host key, keep-alives and timeouts.</summary>
public sealed class SshRemoteNodeClient(IOptions<SshOptions> options, Lazy<ScriptBundle> bundle, ILogger<SshRemoteNodeClient> logger)
    : IRemoteNodeClient
{
    public async Task<int> StartRunAsync(Node node, RunParameters parameters, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(node);
        ArgumentNullException.ThrowIfNull(parameters);
        var scripts = bundle.Value;
        var command = RemoteCommands.StartRun(parameters.RunId, scripts.Sha256, IsSudo(node));
        var input = Encoding.UTF8.GetBytes(parameters.ToJson());
        return await WithConnectionAsync(node, async (ssh, openSftp) =>
        {
            var started = RemoteCommands.ParseStart(await ExecuteAsync(ssh, command, cancellationToken, input));
            if (started.HomeNeedingScripts is { } home)
            {
                await InstallScriptsAsync(ssh, await openSftp(), home, scripts, cancellationToken);
                started = RemoteCommands.ParseStart(await ExecuteAsync(ssh, command, cancellationToken, input));
            }

            var pid = started.Pid ?? throw new RemoteNodeException($"{node.Name} still lacks the scripts it was just sent.");
            logger.LogInformation("Started run {RunId} on node {Node} as process group {Pid}", parameters.RunId, node.Name, pid);
            return pid;
        }, cancellationToken);
    }

    public async Task StopRunAsync(Node node, Guid runId, int? pid, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(node);
        await WithConnectionAsync(node, async (ssh, _) =>
        {
            await ExecuteAsync(ssh, RemoteCommands.Stop(runId, pid, IsSudo(node)), cancellationToken);
            logger.LogInformation("Stopped run {RunId} on node {Node} and tore its VPNs down", runId, node.Name);
            return 0;
        }, cancellationToken);
    }

    public async Task<byte[]?> FetchResultsAsync(Node node, Guid runId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(node);
        return await WithConnectionAsync<byte[]?>(node, async (ssh, _) =>
        {
            var encoded = (await ExecuteAsync(ssh, RemoteCommands.FetchResults(runId, IsSudo(node)), cancellationToken)).Trim();
            if (encoded.Length == 0)
            {
                return null;
            }

            try
            {
                return Convert.FromBase64String(encoded);
            }
            catch (FormatException ex)
            {
                throw new RemoteNodeException($"{node.Name} answered the results of run {runId} with something that is not base64.", ex);
            }
        }, cancellationToken);
    }

    public async Task<NodeProbe> ProbeAsync(Node node, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(node);
        string? presented = null;
        try
        {
            return await WithConnectionAsync(node, async (ssh, _) =>
            {
                var output = await ExecuteAsync(ssh, RemoteCommands.ProbeTools, cancellationToken);
                var (tools, ipv6) = ProbeOutput.Parse(output);
                return new NodeProbe(true, null, node.HostKeyFingerprint, tools, ipv6);
            }, cancellationToken, onHostKey: fp => presented = fp);
        }
        catch (RemoteNodeException ex)
        {
            return new NodeProbe(false, ex.Message, presented, new Dictionary<string, string?>());
        }
    }

    private static bool IsSudo(Node node) => node.User != "root";

    private async Task InstallScriptsAsync(SshClient ssh, SftpClient sftp, string home, ScriptBundle scripts, CancellationToken cancellationToken)
    {
        // StartRun made incoming/
        var archive = $"{home}/incoming/scripts-{scripts.Sha256[..12]}.tar.gz";
        using (var stream = new MemoryStream(scripts.Archive))
        {
            await sftp.UploadFileAsync(stream, archive, cancellationToken);
        }

        await ExecuteAsync(ssh, RemoteCommands.InstallBundle(home, archive, scripts.Sha256), cancellationToken);
        logger.LogInformation("Installed scripts {Hash} in {Home} on the node", scripts.Sha256[..12], home);
    }

    /// <summary>Runs a command, with <paramref name="input"/> (when given) as its standard input.</summary>
    private async Task<string> ExecuteAsync(SshClient ssh, string commandText, CancellationToken cancellationToken, byte[]? input = null)
    {
        using var command = ssh.CreateCommand(commandText);
        command.CommandTimeout = options.Value.CommandTimeout;
        try
        {
            var execution = command.ExecuteAsync(cancellationToken);
            if (input is not null)
            {
                // Disposing the stream sends end-of-file.
                await using var stdin = command.CreateInputStream();
                await stdin.WriteAsync(input, cancellationToken);
            }

            await execution;
        }
        catch (SshOperationTimeoutException ex)
        {
            throw new RemoteNodeException($"A command on the node did not finish within {options.Value.CommandTimeout.TotalSeconds:0} s.", ex);
        }

        if (command.ExitStatus is not 0)
        {
            var error = command.Error.Trim();
            throw new RemoteNodeException($"A command on the node failed (exit {command.ExitStatus}): {(error.Length > 0 ? error : command.Result.Trim())}");
        }

        return command.Result;
    }

    /// <summary>
    /// Connects, checks the pinned host key and runs <paramref name="action"/> with the SSH session and a way to open an SFTP
    /// session beside it (only a node lacking the current scripts needs one: its own handshake), each failure told plainly.
    /// </summary>
    private async Task<T> WithConnectionAsync<T>(
        Node node,
        Func<SshClient, Func<Task<SftpClient>>, Task<T>> action,
        CancellationToken cancellationToken,
        Action<string>? onHostKey = null)
    {
        var key = PrivateKey(node);
        string? mismatch = null;
        void CheckHostKey(object? sender, HostKeyEventArgs e)
        {
            var presented = "SHA256:" + e.FingerPrintSHA256;
            onHostKey?.Invoke(presented);
            e.CanTrust = HostKeyFingerprint.Matches(node.HostKeyFingerprint, presented);
            if (!e.CanTrust)
            {
                mismatch = presented;
            }
        }

        // One ConnectionInfo per client: its authentication method keeps per-session state.
        using var ssh = new SshClient(Connection(node, key)) { KeepAliveInterval = options.Value.KeepAliveInterval };
        SftpClient? sftp = null;
        async Task<SftpClient> OpenSftpAsync()
        {
            sftp = new SftpClient(Connection(node, key)) { KeepAliveInterval = options.Value.KeepAliveInterval };
            sftp.HostKeyReceived += CheckHostKey;
            await sftp.ConnectAsync(cancellationToken);
            return sftp;
        }

        ssh.HostKeyReceived += CheckHostKey;
        try
        {
            await ssh.ConnectAsync(cancellationToken);
            return await action(ssh, OpenSftpAsync);
        }
        catch (SshConnectionException) when (mismatch is not null)
        {
            throw new RemoteNodeException($"Host key mismatch for {node.Name} ({node.Host}:{node.Port}): it presented {mismatch}, but {node.HostKeyFingerprint} is pinned. If the node was rebuilt, pin its new fingerprint; otherwise someone may be in between.");
        }
        catch (SshAuthenticationException ex)
        {
            throw new RemoteNodeException($"{node.Name} refused the SSH key for user {node.User}: {ex.Message}", ex);
        }
        catch (SocketException ex)
        {
            throw new RemoteNodeException($"Cannot reach {node.Name} at {node.Host}:{node.Port}: {ex.SocketErrorCode} ({ex.Message}).", ex);
        }
        catch (SshOperationTimeoutException ex)
        {
            throw new RemoteNodeException($"{node.Name} at {node.Host}:{node.Port} did not answer within {options.Value.ConnectTimeout.TotalSeconds:0} s.", ex);
        }
        catch (SshException ex)
        {
            throw new RemoteNodeException($"SSH to {node.Name} failed: {ex.Message}", ex);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new RemoteNodeException($"{node.Name} at {node.Host}:{node.Port} did not answer within {options.Value.ConnectTimeout.TotalSeconds:0} s.", ex);
        }
        finally
        {
            sftp?.Dispose();
        }
    }

    private static PrivateKeyFile PrivateKey(Node node)
    {
        try
        {
            return new PrivateKeyFile(node.PrivateKeyPath);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or SshException or ArgumentException)
        {
            throw new RemoteNodeException($"Cannot read the private key for {node.Name} at {node.PrivateKeyPath}: {ex.Message}", ex);
        }
    }

    private Renci.SshNet.ConnectionInfo Connection(Node node, PrivateKeyFile key) =>
        new Renci.SshNet.ConnectionInfo(node.Host, node.Port, node.User, new PrivateKeyAuthenticationMethod(node.User, key))
        {
            Timeout = options.Value.ConnectTimeout,
        };
}
