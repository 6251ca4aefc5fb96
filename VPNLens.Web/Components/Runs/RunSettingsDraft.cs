using VPNLens.Core.Runs;

namespace VPNLens.Web.Components.Runs;

/// <summary>What the run form's settings fields hold: empty means the configured default.</summary>
public sealed class RunSettingsDraft
{
    public int? TcpSeconds { get; set; }

    public int? UdpSeconds { get; set; }

    public int? Repeats { get; set; }

    public int? MaxRepeats { get; set; }

    public int? UdpTargetMbps { get; set; }

    public int? PingCount { get; set; }

    /// <summary>Null when every field is left at its default, so the run keeps the configured deadline.</summary>
    public RunSettingsRequest? ToRequest() =>
        TcpSeconds is null && UdpSeconds is null && Repeats is null && MaxRepeats is null && UdpTargetMbps is null && PingCount is null
            ? null
            : new RunSettingsRequest(TcpSeconds, UdpSeconds, Repeats, MaxRepeats, UdpTargetMbps, PingCount);
}
