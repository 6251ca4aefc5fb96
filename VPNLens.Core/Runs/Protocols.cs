namespace VPNLens.Core.Runs;

/// <summary>The VPN technologies a node can benchmark; each has a driver file in scripts/drivers.</summary>
public static class Protocols
{
    /// <summary>The underlay with no VPN: every run measures it first as the baseline.</summary>
    public const string Direct = "direct";
    public const string WireGuard = "wireguard";
    public const string Tailscale = "tailscale";
    public const string Nebula = "nebula";
    public const string OpenVpn = "openvpn";
    public const string Ipsec = "ipsec";

    public static IReadOnlyList<string> Selectable { get; } = [WireGuard, Tailscale, Nebula, OpenVpn, Ipsec];

    public static bool IsSelectable(string name) => Selectable.Contains(name, StringComparer.Ordinal);

    public static string DisplayName(string name) => name switch
    {
        Direct => "Direct (no VPN)",
        WireGuard => "WireGuard",
        Tailscale => "Headscale/Tailscale",
        Nebula => "Nebula",
        OpenVpn => "OpenVPN",
        Ipsec => "IPsec (strongSwan)",
        _ => name,
    };

    /// <summary>The protocols a run executes, in order: the baseline first, then the requested ones once each.</summary>
    public static IReadOnlyList<string> ExecutionOrder(IEnumerable<string> requested) =>
        [Direct, .. requested.Where(p => p != Direct).Distinct(StringComparer.Ordinal)];
}
