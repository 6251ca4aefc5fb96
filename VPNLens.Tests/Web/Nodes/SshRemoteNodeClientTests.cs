using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using VPNLens.Core.Nodes;
using VPNLens.Core.Runs;
using VPNLens.Tests.Infrastructure;
using VPNLens.Web.Nodes;

namespace VPNLens.Tests.Web.Nodes;

/// <summary>Dispatch over SSH against a real sshd: upload, detached start, stop, and each way a connection fails.</summary>
public sealed class SshRemoteNodeClientTests : IAsyncLifetime
{
    private Sshd sshd = null!;
    private string scripts = null!;

    public async ValueTask InitializeAsync()
    {
        Assert.SkipUnless(ProcessRunner.IsRoot, "Starting sshd for any user needs root; the README's test command runs as root.");
        sshd = await Sshd.StartAsync();
        scripts = StubScripts.Create();
    }

    public async ValueTask DisposeAsync()
    {
        if (sshd is not null)
        {
            await sshd.DisposeAsync();
        }
    }

    [Fact]
    public async Task Start_uploads_the_scripts_and_leaves_run_sh_running_after_the_session_ends()
    {
        var client = Client();
        var run = Run();

        var pid = await client.StartRunAsync(Node(), RunParameters.For(run, new Uri("http://198.18.0.1:5080/")), TestContext.Current.CancellationToken);

        Assert.True(ProcessRunner.IsAlive(pid), "run.sh should outlive the SSH session");
        var runDir = Path.Combine(sshd.Home, "runs", run.Id.ToString());
        Assert.Equal(pid.ToString(System.Globalization.CultureInfo.InvariantCulture), File.ReadAllText(Path.Combine(runDir, "run.pid")).Trim());
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(runDir, "params.json")));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(runDir));
        using var seen = JsonDocument.Parse(File.ReadAllText(Path.Combine(runDir, "seen-params.json")));
        Assert.Equal(run.CallbackSecret, seen.RootElement.GetProperty("secret").GetString());
        Assert.Equal(ScriptBundle.FromDirectory(scripts).Sha256, File.ReadAllText(Path.Combine(sshd.Home, "scripts", ".bundle-sha256")).Trim());

        await client.StopRunAsync(Node(), run.Id, pid, TestContext.Current.CancellationToken);

        Assert.False(ProcessRunner.IsAlive(pid), "stop must end the run's process group");
        Assert.Equal("stop", File.ReadAllText(Path.Combine(sshd.Home, "switch.log")).Trim());
    }

    [Fact]
    public async Task Unchanged_scripts_are_not_uploaded_again()
    {
        var client = Client();
        var first = Run();
        var pid = await client.StartRunAsync(Node(), RunParameters.For(first, new Uri("http://198.18.0.1:5080/")), TestContext.Current.CancellationToken);
        await client.StopRunAsync(Node(), first.Id, pid, TestContext.Current.CancellationToken);
        var marker = Path.Combine(sshd.Home, "scripts", "left-by-test");
        await File.WriteAllTextAsync(marker, "x", TestContext.Current.CancellationToken);

        var second = Run();
        var pid2 = await client.StartRunAsync(Node(), RunParameters.For(second, new Uri("http://198.18.0.1:5080/")), TestContext.Current.CancellationToken);
        await client.StopRunAsync(Node(), second.Id, pid2, TestContext.Current.CancellationToken);

        Assert.True(File.Exists(marker), "a second upload would have replaced the scripts folder");
    }

    [Fact]
    public async Task A_node_that_cannot_keep_the_run_s_parameters_fails_the_dispatch_saying_so()
    {
        await File.WriteAllTextAsync(Path.Combine(sshd.Home, "runs"), "a file where the directory goes", TestContext.Current.CancellationToken);

        var error = await Assert.ThrowsAsync<RemoteNodeException>(() =>
            Client().StartRunAsync(Node(), RunParameters.For(Run(), new Uri("http://198.18.0.1:5080/")), TestContext.Current.CancellationToken));

        Assert.Contains("exit 1", error.Message, StringComparison.Ordinal);
        Assert.Contains("runs", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Stop_is_idempotent_when_the_run_is_already_gone()
    {
        var client = Client();
        await client.StopRunAsync(Node(), Guid.NewGuid(), 999_999, TestContext.Current.CancellationToken);
        await client.StopRunAsync(Node(), Guid.NewGuid(), null, TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task A_host_key_mismatch_is_refused_with_both_fingerprints()
    {
        var pinned = "SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU";
        var node = Node(fingerprint: pinned);

        var error = await Assert.ThrowsAsync<RemoteNodeException>(() => Client().StartRunAsync(node, RunParameters.For(Run(), new Uri("http://198.18.0.1:5080/")), TestContext.Current.CancellationToken));

        Assert.Contains("Host key mismatch", error.Message, StringComparison.Ordinal);
        Assert.Contains(sshd.Fingerprint, error.Message, StringComparison.Ordinal);
        Assert.Contains(pinned, error.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(sshd.Home, "runs")), "nothing may be written to a node we do not trust");
    }

    [Fact]
    public async Task A_refused_connection_says_the_node_cannot_be_reached()
    {
        var node = Node(port: Sshd.FreePort());
        var error = await Assert.ThrowsAsync<RemoteNodeException>(() => Client().StartRunAsync(node, RunParameters.For(Run(), new Uri("http://198.18.0.1:5080/")), TestContext.Current.CancellationToken));
        Assert.Contains("Cannot reach", error.Message, StringComparison.Ordinal);
        Assert.Contains("ConnectionRefused", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_key_the_node_does_not_know_is_reported_as_refused()
    {
        var otherKey = Path.Combine(sshd.Directory_, "other_ed25519");
        await ProcessRunner.RunAsync("ssh-keygen", "-q", "-t", "ed25519", "-N", string.Empty, "-f", otherKey);
        var error = await Assert.ThrowsAsync<RemoteNodeException>(() => Client().StartRunAsync(Node(keyPath: otherKey), RunParameters.For(Run(), new Uri("http://198.18.0.1:5080/")), TestContext.Current.CancellationToken));
        Assert.Contains("refused the SSH key", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Probe_lists_the_tools_the_node_has()
    {
        var probe = await Client().ProbeAsync(Node(), TestContext.Current.CancellationToken);
        Assert.True(probe.Reachable, probe.Error);
        Assert.NotNull(probe.Tools["bash"]);
        Assert.True(probe.Tools.ContainsKey("tailscale"));

        var refused = await Client().ProbeAsync(Node(fingerprint: "SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU"), TestContext.Current.CancellationToken);
        Assert.False(refused.Reachable);
        Assert.Equal(sshd.Fingerprint, refused.PresentedFingerprint);
    }

    private SshRemoteNodeClient Client() => new(
        Options.Create(new SshOptions { ConnectTimeout = TimeSpan.FromSeconds(5) }),
        new Lazy<ScriptBundle>(() => ScriptBundle.FromDirectory(scripts)),
        NullLogger<SshRemoteNodeClient>.Instance);

    private Node Node(string? fingerprint = null, int? port = null, string? keyPath = null) =>
        Seed.Node(host: "127.0.0.1", port: port ?? sshd.Port, fingerprint: fingerprint ?? sshd.Fingerprint, keyPath: keyPath ?? sshd.ClientKeyPath);

    private static Run Run() => Seed.Run(Guid.NewGuid(), RunState.Running);
}
