using VPNLens.Core.Runs;

namespace VPNLens.Web.Components.Runs;

/// <summary>What the run form's and the schedule editor's settings fields hold: empty means the configured default.</summary>
public sealed class RunSettingsDraft
{
    public int? TcpSeconds { get; set; }

    public int? UdpSeconds { get; set; }

    public int? Repeats { get; set; }

    public int? MaxRepeats { get; set; }

    public int? UdpTargetMbps { get; set; }

    public int? PingCount { get; set; }

    public int? IpVersion { get; set; }

    /// <summary>The fields as a stored choice fills them; null: every field empty.</summary>
    public static RunSettingsDraft From(RunSettingsRequest? chosen) => new()
    {
        TcpSeconds = chosen?.TcpSeconds,
        UdpSeconds = chosen?.UdpSeconds,
        Repeats = chosen?.Repeats,
        MaxRepeats = chosen?.MaxRepeats,
        UdpTargetMbps = chosen?.UdpTargetMbps,
        PingCount = chosen?.PingCount,
        IpVersion = chosen?.IpVersion,
    };

    /// <summary>Null when every field is left at its default, so the run keeps the configured deadline.</summary>
    public RunSettingsRequest? ToRequest() =>
        TcpSeconds is null && UdpSeconds is null && Repeats is null && MaxRepeats is null && UdpTargetMbps is null && PingCount is null && IpVersion is null
            ? null
            : new RunSettingsRequest(TcpSeconds, UdpSeconds, Repeats, MaxRepeats, UdpTargetMbps, PingCount, IpVersion);
}
