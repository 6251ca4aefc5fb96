using VPNLens.Tests.Infrastructure;
using VPNLens.Web.Nodes;

namespace VPNLens.Tests.Web.Nodes;

/// <summary>The dispatch's one preparing command, run by a real sh, and what the client reads from it.</summary>
public sealed class RemoteCommandsTests : IDisposable
{
    private readonly string home = Directory.CreateTempSubdirectory("vpnlens-home-").FullName;

    public void Dispose() => Directory.Delete(home, recursive: true);

    [Fact]
    public async Task Prepare_makes_a_private_run_directory_and_says_the_home_and_no_scripts_yet()
    {
        var runId = Guid.NewGuid();

        var (preparedHome, installed) = RemoteCommands.ParsePreparedRun(await PrepareAsync(runId));

        Assert.Equal(home, preparedHome);
        Assert.Equal(string.Empty, installed);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute,
            File.GetUnixFileMode(Path.Combine(home, "runs", runId.ToString())));
        Assert.True(Directory.Exists(Path.Combine(home, "incoming")));
    }

    [Fact]
    public async Task Prepare_says_the_hash_of_the_scripts_installed()
    {
        Directory.CreateDirectory(Path.Combine(home, "scripts"));
        await File.WriteAllTextAsync(Path.Combine(home, "scripts", ".bundle-sha256"), "abc123\n", TestContext.Current.CancellationToken);

        var (_, installed) = RemoteCommands.ParsePreparedRun(await PrepareAsync(Guid.NewGuid()));

        Assert.Equal("abc123", installed);
    }

    [Fact]
    public async Task Prepare_fails_when_the_run_directory_cannot_be_made()
    {
        await File.WriteAllTextAsync(Path.Combine(home, "runs"), "a file where the directory goes", TestContext.Current.CancellationToken);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => PrepareAsync(Guid.NewGuid()));

        Assert.Contains("exited 1", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Output_without_a_home_is_refused()
    {
        var error = Assert.Throws<RemoteNodeException>(() => RemoteCommands.ParsePreparedRun("\n"));

        Assert.Contains("VPNLens home", error.Message, StringComparison.Ordinal);
    }

    private Task<string> PrepareAsync(Guid runId) =>
        ProcessRunner.RunAsync("sh", new Dictionary<string, string> { ["VPNLENS_HOME"] = home }, "-c", RemoteCommands.PrepareRun(runId));
}
