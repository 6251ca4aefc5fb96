using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace VPNLens.Tests.Infrastructure;

/// <summary>
/// A real OpenSSH server on 127.0.0.1 and a free port, with its own host key and one authorized client key,
/// started for a test and stopped by its own pid. VPNLENS_HOME for sessions points into its folder.
/// </summary>
public sealed class Sshd : IAsyncDisposable
{
    private readonly Process process;

    private Sshd(string directory, int port, Process process, string fingerprint)
    {
        Directory_ = directory;
        Port = port;
        this.process = process;
        Fingerprint = fingerprint;
    }

    public string Directory_ { get; }

    public int Port { get; }

    public string Fingerprint { get; }

    public string ClientKeyPath => Path.Combine(Directory_, "client_ed25519");

    /// <summary>What the node sees as $VPNLENS_HOME.</summary>
    public string Home => Path.Combine(Directory_, "home");

    public static async Task<Sshd> StartAsync()
    {
        var dir = Directory.CreateTempSubdirectory("vpnlens-sshd-").FullName;
        await ProcessRunner.RunAsync("ssh-keygen", "-q", "-t", "ed25519", "-N", string.Empty, "-f", Path.Combine(dir, "host_ed25519"));
        await ProcessRunner.RunAsync("ssh-keygen", "-q", "-t", "ed25519", "-N", string.Empty, "-f", Path.Combine(dir, "client_ed25519"));
        File.Copy(Path.Combine(dir, "client_ed25519.pub"), Path.Combine(dir, "authorized_keys"));
        var fingerprint = (await ProcessRunner.RunAsync("ssh-keygen", "-lf", Path.Combine(dir, "host_ed25519.pub"))).Split(' ')[1];
        Directory.CreateDirectory(Path.Combine(dir, "home"));
        Directory.CreateDirectory("/run/sshd");

        var port = FreePort();
        var config = Path.Combine(dir, "sshd_config");
        await File.WriteAllTextAsync(config, $"""
            Port {port}
            ListenAddress 127.0.0.1
            HostKey {dir}/host_ed25519
            PidFile {dir}/sshd.pid
            AuthorizedKeysFile {dir}/authorized_keys
            PasswordAuthentication no
            KbdInteractiveAuthentication no
            PermitRootLogin prohibit-password
            StrictModes no
            UsePAM no
            Subsystem sftp internal-sftp
            SetEnv VPNLENS_HOME={dir}/home VPNLENS_STATE_DIR={dir}/state VPNLENS_CONF_DIR={dir}/conf
            """);

        var start = new ProcessStartInfo("/usr/sbin/sshd") { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var argument in new[] { "-D", "-e", "-f", config })
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("sshd did not start.");

        // A safety net for a test whose setup fails after this point (xunit skips DisposeAsync then).
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Stop(process);
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        await WaitForPortAsync(port, process);
        return new Sshd(dir, port, process, fingerprint);
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        Stop(process);
        await process.WaitForExitAsync();
        process.Dispose();
        try
        {
            Directory.Delete(Directory_, recursive: true);
        }
        catch (IOException)
        {
            // best effort; it is a temp folder
        }
    }

    private static void Stop(Process process)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
            // already gone or disposed
        }
    }

    private static async Task WaitForPortAsync(int port, Process process)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"sshd exited with {process.ExitCode}.");
            }

            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(50);
            }
        }

        throw new TimeoutException($"sshd did not listen on {port} within 10 s.");
    }
}
