namespace VPNLens.Core.Runs;

/// <summary>The settings a request may choose for one run; what it leaves out comes from the configured defaults.</summary>
public sealed record RunSettingsRequest(int? TcpSeconds, int? UdpSeconds, int? Repeats, int? MaxRepeats, int? UdpTargetMbps, int? PingCount, int? IpVersion = null)
{
    /// <summary>Chooses nothing: every setting comes from the configured defaults.</summary>
    public static RunSettingsRequest Empty { get; } = new(null, null, null, null, null, null);

    public RunSettings ApplyTo(RunSettings defaults)
    {
        ArgumentNullException.ThrowIfNull(defaults);
        return defaults with
        {
            TcpSeconds = TcpSeconds ?? defaults.TcpSeconds,
            UdpSeconds = UdpSeconds ?? defaults.UdpSeconds,
            Repeats = Repeats ?? defaults.Repeats,
            MaxRepeats = MaxRepeats ?? defaults.MaxRepeats,
            UdpTargetMbps = UdpTargetMbps ?? defaults.UdpTargetMbps,
            PingCount = PingCount ?? defaults.PingCount,
            IpVersion = IpVersion ?? defaults.IpVersion,
        };
    }
}
