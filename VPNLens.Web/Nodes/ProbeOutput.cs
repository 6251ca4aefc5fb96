namespace VPNLens.Web.Nodes;

/// <summary>Reads what <see cref="RemoteCommands.ProbeTools"/> prints: "tool=path" lines (empty path: missing) and one "ipv6=on|off" line.</summary>
public static class ProbeOutput
{
    public const string Ipv6Key = "ipv6";

    public static (Dictionary<string, string?> Tools, bool? Ipv6) Parse(string output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var values = output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.TrimEnd('\r').Split('=', 2))
            .Where(parts => parts.Length == 2)
            .GroupBy(parts => parts[0], StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => string.IsNullOrEmpty(g.Last()[1]) ? null : g.Last()[1], StringComparer.Ordinal);
        bool? ipv6 = values.Remove(Ipv6Key, out var state) ? state switch { "on" => true, "off" => false, _ => null } : null;
        return (values, ipv6);
    }
}
