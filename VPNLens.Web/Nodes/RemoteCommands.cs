using System.Globalization;

namespace VPNLens.Web.Nodes;

/// <summary>The shell the control plane runs on a node, in one place so it can be read and tested.</summary>
internal static class RemoteCommands
{
    public const string Home = "${VPNLENS_HOME:-$HOME/vpnlens}";

    /// <summary>What <see cref="StartRun"/> prints first when the node lacks the scripts it names.</summary>
    public const string ScriptsMissing = "scripts-missing";

    /// <summary>
    /// A dispatch in one round trip: makes the run's private directory (0700), writes the run's parameters from standard input
    /// into it (0600), and when the scripts installed are <paramref name="bundleSha256"/> starts run.sh in its own session,
    /// detached from SSH (no terminal, no output back, survives logout), and prints its pid. When they are not, it starts
    /// nothing and prints <see cref="ScriptsMissing"/> and the node's VPNLens home: install the scripts and send it again
    /// (<see cref="ParseStart"/>).
    /// </summary>
    public static string StartRun(Guid runId, string bundleSha256, bool sudo)
    {
        var prefix = Elevated(sudo);
        // Only run.sh itself goes to the background: a backgrounded list would keep the SSH channel open.
        return $"d=\"{Home}\"; r=\"$d/runs/{runId}\"; umask 077; " +
               "mkdir -p \"$r\" \"$d/incoming\" && cat > \"$r/params.json\" && chmod 600 \"$r/params.json\" || exit 1; " +
               $"if [ \"$(cat \"$d/scripts/.bundle-sha256\" 2>/dev/null)\" != {Quote(bundleSha256)} ]; then printf '%s\\n%s\\n' {ScriptsMissing} \"$d\"; exit 0; fi; " +
               $"cd \"$r\" || exit 1; {prefix}setsid nohup \"$d/scripts/run.sh\" \"$r/params.json\" </dev/null >/dev/null 2>&1 & " +
               "p=$!; for _ in $(seq 1 250); do [ -s \"$r/run.pid\" ] && break; sleep 0.02; done; " +
               "if [ -s \"$r/run.pid\" ]; then cat \"$r/run.pid\"; else echo \"$p\"; fi";
    }

    /// <summary>What goes before a command that needs root: nothing for root itself, else sudo that never prompts.</summary>
    private static string Elevated(bool sudo) => sudo ? "sudo -n " : string.Empty;

    /// <summary>run.sh's pid from <see cref="StartRun"/>'s output, or the home whose scripts must be installed first.</summary>
    public static StartOutput ParseStart(string output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var lines = output.Split('\n');
        if (lines[0].Trim() == ScriptsMissing)
        {
            var home = lines.Length > 1 ? lines[1].Trim() : string.Empty;
            return home.Length > 0 ? new StartOutput(null, home) : throw new RemoteNodeException("The node did not say where its VPNLens home is.");
        }

        return int.TryParse(output.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) && pid > 1
            ? new StartOutput(pid, null)
            : throw new RemoteNodeException($"run.sh did not start: the node printed \"{output.Trim()}\" instead of its pid.");
    }

    public static string InstallBundle(string home, string archive, string sha256) =>
        $"set -e; d={Quote(home)}; rm -rf \"$d/scripts.new\"; mkdir -p \"$d/scripts.new\"; " +
        $"tar -xzf {Quote(archive)} -C \"$d/scripts.new\"; printf '%s\\n' {Quote(sha256)} > \"$d/scripts.new/.bundle-sha256\"; " +
        $"rm -rf \"$d/scripts\"; mv \"$d/scripts.new\" \"$d/scripts\"; rm -f {Quote(archive)}";

    /// <summary>Stops the run's process group (TERM, then KILL), then stops every VPN on the node.</summary>
    public static string Stop(Guid runId, int? pid, bool sudo)
    {
        var prefix = Elevated(sudo);
        var pidFile = $"\"$d/runs/{runId}/run.pid\"";
        var known = pid?.ToString(CultureInfo.InvariantCulture) ?? string.Empty;
        return $"d=\"{Home}\"; p={Quote(known)}; [ -z \"$p\" ] && [ -s {pidFile} ] && p=$(cat {pidFile}); " +
               $"if [ -n \"$p\" ]; then {prefix}kill -TERM -- \"-$p\" 2>/dev/null || {prefix}kill -TERM \"$p\" 2>/dev/null || true; " +
               $"for _ in $(seq 1 50); do [ -d \"/proc/$p\" ] || break; sleep 0.1; done; " +
               $"{prefix}kill -KILL -- \"-$p\" 2>/dev/null || true; fi; " +
               $"if [ -x \"$d/scripts/switch.sh\" ]; then {prefix}\"$d/scripts/switch.sh\" stop >/dev/null 2>&1; fi; echo stopped";
    }

    /// <summary>Prints the run's results.json as one line of base64, or nothing when there is none (yet).</summary>
    public static string FetchResults(Guid runId, bool sudo)
    {
        var prefix = Elevated(sudo);
        return $"d=\"{Home}\"; f=\"$d/runs/{runId}/results.json\"; " +
               $"if {prefix}test -s \"$f\"; then {prefix}cat \"$f\" | base64 | tr -d '\\n'; fi; exit 0";
    }

    /// <summary>
    /// Where each tool is, or nothing; sbin is searched too, where charon-systemd lives, as an unprivileged login's PATH may
    /// not. Then "ipv6=on" when the kernel has IPv6 and it is not switched off, else "ipv6=off" (<see cref="ProbeOutput"/>).
    /// </summary>
    public static string ProbeTools =>
        "PATH=\"$PATH:/usr/sbin:/sbin\"; " +
        "for t in bash curl jq openssl iperf3 ping ip wg wg-quick wireguard-go tailscale tailscaled nebula openvpn charon-systemd swanctl; do " +
        "p=$(command -v \"$t\" 2>/dev/null || true); printf '%s=%s\\n' \"$t\" \"$p\"; done; " +
        "if [ -e /proc/net/if_inet6 ] && [ \"$(cat /proc/sys/net/ipv6/conf/all/disable_ipv6 2>/dev/null)\" = 0 ]; " +
        "then echo ipv6=on; else echo ipv6=off; fi";

    /// <summary>Single-quotes a value for POSIX sh.</summary>
    public static string Quote(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return "'" + value.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
    }
}

/// <summary>What a dispatch's one command answered: run.sh's <paramref name="Pid"/>, or the <paramref name="HomeNeedingScripts"/>.</summary>
internal sealed record StartOutput(int? Pid, string? HomeNeedingScripts);
