using System.Text.Json;
using VPNLens.Core.Results;

namespace VPNLens.Tests.Core.Verdicts;

/// <summary>Results bodies built in code, with only the figures a test is about.</summary>
internal static class Reports
{
    public static ProtocolReport Protocol(
        string name,
        double[]? uploadMbps = null,
        double[]? rttMs = null,
        double[]? udpLossPercent = null,
        double? setupMs = null,
        int? pingsLost = null) => new(
            Protocol: name,
            Status: "succeeded",
            Error: null,
            Interface: null,
            Mtu: null,
            Peer: null,
            Versions: null,
            SetupMs: setupMs,
            Ladder: null,
            LatencyIdle: rttMs is null ? null : new PingReport(rttMs.Length + (pingsLost ?? 0), rttMs.Length, rttMs),
            LatencyLoaded: null,
            TcpUpload: uploadMbps?.Select(m => new TcpSample(m * 1e6, null, null, null, null, null)).ToList(),
            TcpDownload: null,
            Udp: udpLossPercent?.Select(l => new UdpSample(100e6, 0.1, null, null, l)).ToList(),
            Cpu: null,
            Recovery: null);

    public static ResultsReport Run(params ProtocolReport[] protocols) => Run(null, protocols);

    public static ResultsReport Run(string? environmentJson, params ProtocolReport[] protocols) => new(
        "succeeded",
        null,
        environmentJson is null ? null : JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(environmentJson),
        JsonSerializer.Deserialize<Dictionary<string, JsonElement>>("""{"rsdThresholdPercent": 5, "maxRepeats": 6}"""),
        protocols);
}
