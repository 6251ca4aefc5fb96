using VPNLens.Tests.Infrastructure;
using VPNLens.Web.Nodes;

namespace VPNLens.Tests.Web.Nodes;

/// <summary>The dispatch's one command, run by a real sh with the parameters on its standard input, and what the client reads from it.</summary>
public sealed class RemoteCommandsTests : IDisposable
{
    private const string Parameters = "{\"runId\":\"x\",\"secret\":\"it's private\"}";
    private const string Bundle = "abc123";
    private readonly string home = Directory.CreateTempSubdirectory("vpnlens-home-").FullName;

    public void Dispose() => Directory.Delete(home, recursive: true);

    [Fact]
    public async Task Without_scripts_the_parameters_are_kept_privately_and_the_home_is_asked_to_get_them()
    {
        var runId = Guid.NewGuid();

        var started = RemoteCommands.ParseStart(await StartAsync(runId));

        Assert.Equal(new StartOutput(null, home), started);
        var run = Path.Combine(home, "runs", runId.ToString());
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(run));
        Assert.Equal(Parameters, await File.ReadAllTextAsync(Path.Combine(run, "params.json"), TestContext.Current.CancellationToken));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(run, "params.json")));
        Assert.True(Directory.Exists(Path.Combine(home, "incoming")));
    }

    [Fact]
    public async Task Other_scripts_than_the_ones_named_start_nothing()
    {
        var scripts = InstallScripts("old456");

        var started = RemoteCommands.ParseStart(await StartAsync(Guid.NewGuid()));

        Assert.Equal(home, started.HomeNeedingScripts);
        Assert.False(File.Exists(Path.Combine(scripts, "started")), "run.sh ran from scripts other than the ones named");
    }

    [Fact]
    public async Task The_named_scripts_start_run_sh_detached_with_the_parameters_and_print_its_pid()
    {
        var scripts = InstallScripts(Bundle);
        var runId = Guid.NewGuid();

        var started = RemoteCommands.ParseStart(await StartAsync(runId));

        Assert.NotNull(started.Pid);
        Assert.Null(started.HomeNeedingScripts);
        var run = Path.Combine(home, "runs", runId.ToString());
        Assert.Equal(started.Pid.Value.ToString(System.Globalization.CultureInfo.InvariantCulture), File.ReadAllText(Path.Combine(run, "run.pid")).Trim());
        Assert.Equal(Parameters, await ReadWhenWrittenAsync(Path.Combine(scripts, "started")));
    }

    [Fact]
    public async Task Start_fails_when_the_run_directory_cannot_be_made()
    {
        await File.WriteAllTextAsync(Path.Combine(home, "runs"), "a file where the directory goes", TestContext.Current.CancellationToken);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => StartAsync(Guid.NewGuid()));

        Assert.Contains("exited 1", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("scripts-missing\n")]
    [InlineData("scripts-missing\n\n")]
    public void Scripts_missing_without_a_home_is_refused(string output)
    {
        var error = Assert.Throws<RemoteNodeException>(() => RemoteCommands.ParseStart(output));

        Assert.Contains("VPNLens home", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("sudo: a password is required\n")]
    [InlineData("1\n")]
    public void Output_that_is_not_a_pid_says_what_the_node_printed(string output)
    {
        var error = Assert.Throws<RemoteNodeException>(() => RemoteCommands.ParseStart(output));

        Assert.Contains($"printed \"{output.Trim()}\"", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Only_a_user_other_than_root_runs_what_needs_root_through_sudo_that_never_prompts()
    {
        var runId = Guid.NewGuid();

        var asUser = new[] { RemoteCommands.StartRun(runId, Bundle, sudo: true), RemoteCommands.Stop(runId, 42, sudo: true), RemoteCommands.FetchResults(runId, sudo: true) };
        var asRoot = new[] { RemoteCommands.StartRun(runId, Bundle, sudo: false), RemoteCommands.Stop(runId, 42, sudo: false), RemoteCommands.FetchResults(runId, sudo: false) };

        Assert.Contains("sudo -n setsid nohup", asUser[0], StringComparison.Ordinal);
        Assert.Contains("sudo -n kill -TERM", asUser[1], StringComparison.Ordinal);
        Assert.Contains("sudo -n cat", asUser[2], StringComparison.Ordinal);
        Assert.All(asRoot, command => Assert.DoesNotContain("sudo", command, StringComparison.Ordinal));
    }

    /// <summary>Installs a run.sh that writes its pid as run.sh does and copies its parameters beside itself, then exits.</summary>
    private string InstallScripts(string hash)
    {
        var scripts = Directory.CreateDirectory(Path.Combine(home, "scripts")).FullName;
        File.WriteAllText(Path.Combine(scripts, ".bundle-sha256"), hash + "\n");
        var runSh = Path.Combine(scripts, "run.sh");
        File.WriteAllText(runSh, "#!/bin/sh\necho $$ > \"$(dirname \"$1\")/run.pid\"\ncp \"$1\" \"$(dirname \"$0\")/started.tmp\" && mv \"$(dirname \"$0\")/started.tmp\" \"$(dirname \"$0\")/started\"\n");
        File.SetUnixFileMode(runSh, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return scripts;
    }

    /// <summary>The detached run.sh writes after its pid: wait for the file (a loose bound, only a failure reaches it).</summary>
    private static async Task<string> ReadWhenWrittenAsync(string path)
    {
        for (var i = 0; i < 200 && !File.Exists(path); i++)
        {
            await Task.Delay(50, TestContext.Current.CancellationToken);
        }

        return await File.ReadAllTextAsync(path, TestContext.Current.CancellationToken);
    }

    private Task<string> StartAsync(Guid runId) =>
        ProcessRunner.RunAsync(
            "sh",
            new Dictionary<string, string> { ["VPNLENS_HOME"] = home },
            "-c",
            "printf '%s' \"$1\" | sh -c \"$2\"",
            "sh",
            Parameters,
            RemoteCommands.StartRun(runId, Bundle, sudo: false));
}
