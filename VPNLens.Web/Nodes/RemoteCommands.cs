using System.Globalization;

namespace VPNLens.Web.Nodes;

/// <summary>The shell the control plane runs on a node, in one place so it can be read and tested.</summary>
internal static class RemoteCommands
{
    public const string Home = "${VPNLENS_HOME:-$HOME/vpnlens}";

    /// <summary>
    /// Makes the run's directory (0700) and prints the node's VPNLens home, then the hash of the scripts
    /// installed there (nothing when there are none): one round trip before the upload (<see cref="ParsePreparedRun"/>).
    /// </summary>
    public static string PrepareRun(Guid runId) =>
        $"d=\"{Home}\"; umask 077; mkdir -p \"$d/runs/{runId}\" \"$d/incoming\" || exit 1; " +
        "printf '%s\\n' \"$d\"; cat \"$d/scripts/.bundle-sha256\" 2>/dev/null; exit 0";

    /// <summary>The home and the installed scripts' hash (empty when none) from <see cref="PrepareRun"/>'s output.</summary>
    public static (string Home, string InstalledBundleHash) ParsePreparedRun(string output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var lines = output.Split('\n', 2);
        var home = lines[0].Trim();
        if (home.Length == 0)
        {
            throw new RemoteNodeException("The node did not say where its VPNLens home is.");
        }

        return (home, lines.Length > 1 ? lines[1].Trim() : string.Empty);
    }

    public static string InstallBundle(string home, string archive, string sha256) =>
        $"set -e; d={Quote(home)}; rm -rf \"$d/scripts.new\"; mkdir -p \"$d/scripts.new\"; " +
        $"tar -xzf {Quote(archive)} -C \"$d/scripts.new\"; printf '%s\\n' {Quote(sha256)} > \"$d/scripts.new/.bundle-sha256\"; " +
        $"rm -rf \"$d/scripts\"; mv \"$d/scripts.new\" \"$d/scripts\"; rm -f {Quote(archive)}";

    /// <summary>Starts run.sh in its own session, detached from SSH: no terminal, no output back, survives logout.</summary>
    public static string StartDetached(string home, Guid runId, bool sudo)
    {
        var run = $"{home}/runs/{runId}";
        var prefix = sudo ? "sudo -n " : string.Empty;
        // Only run.sh itself goes to the background: a backgrounded list would keep the SSH channel open.
        return $"chmod 600 {Quote(run + "/params.json")} && cd {Quote(run)} || exit 1; " +
               $"{prefix}setsid nohup {Quote(home + "/scripts/run.sh")} {Quote(run + "/params.json")} </dev/null >/dev/null 2>&1 & " +
               $"p=$!; for _ in $(seq 1 50); do [ -s {Quote(run + "/run.pid")} ] && break; sleep 0.1; done; " +
               $"if [ -s {Quote(run + "/run.pid")} ]; then cat {Quote(run + "/run.pid")}; else echo \"$p\"; fi";
    }

    /// <summary>Stops the run's process group (TERM, then KILL), then stops every VPN on the node.</summary>
    public static string Stop(Guid runId, int? pid, bool sudo)
    {
        var prefix = sudo ? "sudo -n " : string.Empty;
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
        var prefix = sudo ? "sudo -n " : string.Empty;
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
