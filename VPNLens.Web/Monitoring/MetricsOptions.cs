using System.Net;
using Microsoft.Extensions.Options;

namespace VPNLens.Web.Monitoring;

/// <summary>Who may read /metrics without a token.</summary>
public sealed class MetricsOptions
{
    public const string Section = "Metrics";

    /// <summary>
    /// CIDR networks (e.g. 127.0.0.0/8, 172.16.0.0/12) whose requests need no token. Empty by default: behind a
    /// reverse proxy on the same host every request would come from loopback, so nothing is trusted unless listed.
    /// </summary>
    public List<string> AllowedNetworks { get; set; } = [];

    internal IReadOnlyList<IPNetwork> ParsedNetworks() => [.. AllowedNetworks.Select(n => IPNetwork.Parse(n.Trim()))];
}

/// <summary>Stops the app at start when an allowed network is not CIDR, naming the setting and the entry.</summary>
public sealed class MetricsOptionsValidation : IValidateOptions<MetricsOptions>
{
    public ValidateOptionsResult Validate(string? name, MetricsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = options.AllowedNetworks
            .Select((network, index) => (network, index))
            .Where(entry => !IPNetwork.TryParse(entry.network?.Trim(), out _))
            .Select(entry => $"{MetricsOptions.Section}:AllowedNetworks:{entry.index} \"{entry.network}\" is not a CIDR network such as 10.0.0.0/8 or fd00::/8.")
            .ToList();
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
