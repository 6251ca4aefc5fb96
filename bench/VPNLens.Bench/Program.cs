namespace VPNLens.Bench;

/// <summary>
/// One subcommand per measurement the shell suite cannot make with curl and wrk. Each prints one JSON object on stdout
/// and exits 0; a measurement that could not be made exits 1 with the reason on stderr. (A named entry point, so that
/// "Program" stays the app's, which cp-sim hosts.)
/// </summary>
internal static class BenchEntryPoint
{
    public static Task<int> Main(string[] args) => Cli.RunAsync(args);
}
