using System.Net;
using System.Text.RegularExpressions;

namespace VPNLens.Core.Nodes;

/// <summary>
/// What a node's SSH user and host may be: names and addresses only, so neither can ever be read as an option or
/// as shell by a tool they are handed to.
/// </summary>
public static partial class NodeAddress
{
    /// <summary>A POSIX portable user name as useradd takes it: a letter or underscore, then letters, digits, '.', '_' or '-'; at most 32.</summary>
    public static bool IsValidUser(string? user) => user is not null && UserName().IsMatch(user);

    /// <summary>An IPv4 or IPv6 address, or an RFC 1123 host name (labels of letters, digits and inner hyphens; at most 253).</summary>
    public static bool IsValidHost(string? host)
    {
        if (string.IsNullOrEmpty(host))
        {
            return false;
        }

        if (host.Contains(':', StringComparison.Ordinal))
        {
            return IPAddress.TryParse(host, out var v6) && v6.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6;
        }

        return host.Length <= 253 && host.Split('.').All(label => HostLabel().IsMatch(label));
    }

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9._-]{0,31}$", RegexOptions.CultureInvariant)]
    private static partial Regex UserName();

    [GeneratedRegex("^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$", RegexOptions.CultureInvariant)]
    private static partial Regex HostLabel();
}
