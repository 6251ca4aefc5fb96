namespace VPNLens.Core.Phases;

/// <summary>The phases a node runs for every protocol, in the order it runs them (docs/node-protocol.md).</summary>
public static class Phase
{
    public const string StopEverything = "stop_everything";
    public const string BringUp = "bring_up";
    public const string RungInterface = "rung_interface";
    public const string RungIp = "rung_ip";
    public const string RungRoute = "rung_route";
    public const string RungPing = "rung_ping";
    public const string RungBackend = "rung_backend";
    public const string RungFullSize = "rung_full_size";
    public const string LatencyIdle = "latency_idle";
    public const string TcpUpload = "tcp_upload";
    public const string TcpDownload = "tcp_download";
    public const string TcpParallel = "tcp_parallel";
    public const string TcpBidir = "tcp_bidir";
    public const string LatencyLoaded = "latency_loaded";
    public const string Udp = "udp";
    public const string Cpu = "cpu";
    public const string Recovery = "recovery";
    public const string Teardown = "teardown";

    public static IReadOnlyList<string> InOrder { get; } =
    [
        StopEverything, BringUp, RungInterface, RungIp, RungRoute, RungPing, RungBackend, RungFullSize,
        LatencyIdle, TcpUpload, TcpDownload, TcpParallel, TcpBidir, LatencyLoaded, Udp, Cpu, Recovery, Teardown,
    ];

    public static bool IsKnown(string name) => InOrder.Contains(name, StringComparer.Ordinal);

    public static int OrderOf(string name)
    {
        for (var i = 0; i < InOrder.Count; i++)
        {
            if (InOrder[i] == name)
            {
                return i;
            }
        }

        return int.MaxValue;
    }

    public static string DisplayName(string name) => name switch
    {
        StopEverything => "Stop everything",
        BringUp => "Bring up",
        RungInterface => "Ladder 1: interface",
        RungIp => "Ladder 2: IP assigned",
        RungRoute => "Ladder 3: route",
        RungPing => "Ladder 4: ping",
        RungBackend => "Ladder 5: backend",
        RungFullSize => "Ladder 6: full-size path",
        LatencyIdle => "Latency (idle)",
        TcpUpload => "TCP upload",
        TcpDownload => "TCP download",
        TcpParallel => "TCP upload, parallel streams",
        TcpBidir => "TCP both ways at once",
        LatencyLoaded => "Latency (under load)",
        Udp => "UDP",
        Cpu => "CPU",
        Recovery => "Recovery",
        Teardown => "Teardown",
        _ => name,
    };
}
