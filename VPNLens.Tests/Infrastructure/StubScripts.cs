namespace VPNLens.Tests.Infrastructure;

/// <summary>
/// A scripts folder whose run.sh behaves like a node script that hangs (it never calls back) and whose
/// switch.sh records that stop-everything ran: the shape of the failures the control plane must survive.
/// </summary>
public static class StubScripts
{
    /// <param name="keptResults">When given, run.sh keeps these results in its run directory as run.sh does, but never posts them.</param>
    public static string Create(string? keptResults = null)
    {
        var dir = Directory.CreateTempSubdirectory("vpnlens-stub-scripts-").FullName;
        if (keptResults is not null)
        {
            File.WriteAllText(Path.Combine(dir, "kept-results.json"), keptResults);
        }

        Write(Path.Combine(dir, "run.sh"), """
            #!/bin/sh
            run_dir=$(dirname "$1")
            echo $$ > "$run_dir/run.pid"
            cp "$1" "$run_dir/seen-params.json"
            kept="$(dirname "$0")/kept-results.json"
            if [ -f "$kept" ]; then cp "$kept" "$run_dir/results.json.tmp" && mv "$run_dir/results.json.tmp" "$run_dir/results.json"; fi
            exec sleep 600
            """);
        Write(Path.Combine(dir, "switch.sh"), """
            #!/bin/sh
            echo "$1" >> "$VPNLENS_HOME/switch.log"
            """);
        return dir;
    }

    private static void Write(string path, string content)
    {
        File.WriteAllText(path, content.Replace("\r", string.Empty, StringComparison.Ordinal) + "\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }
}
