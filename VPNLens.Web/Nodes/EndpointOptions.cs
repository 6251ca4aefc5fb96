using System.ComponentModel.DataAnnotations;
using VPNLens.Core.Runs;

namespace VPNLens.Web.Nodes;

/// <summary>
/// The VPN endpoint hosts nodes can measure against besides the control plane itself, by name (e.g. the lab's
/// endpoint hosts). Runs whose nodes share an endpoint never overlap, so one endpoint's iperf3 servers serve one run.
/// </summary>
public sealed class EndpointOptions
{
    public const string Section = "Endpoints";

    /// <summary>Endpoint host names; "control-plane" is always known.</summary>
    public List<string> Names { get; set; } = [];

    /// <summary>Every endpoint a node may name, the control plane first.</summary>
    public IReadOnlyList<string> Known => [RunResources.ControlPlaneEndpoint, .. Names.Where(n => !string.IsNullOrWhiteSpace(n) && n != RunResources.ControlPlaneEndpoint).Select(n => n.Trim())];

    public static bool IsValidName(string name) =>
        !string.IsNullOrWhiteSpace(name) && name.Length <= 100 && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');
}

/// <summary>Rejects endpoint names that could not be told apart or typed into a node's form.</summary>
public sealed class EndpointNamesAreValid : Microsoft.Extensions.Options.IValidateOptions<EndpointOptions>
{
    public Microsoft.Extensions.Options.ValidateOptionsResult Validate(string? name, EndpointOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var bad = options.Names.Where(n => !EndpointOptions.IsValidName(n)).ToList();
        return bad.Count == 0
            ? Microsoft.Extensions.Options.ValidateOptionsResult.Success
            : Microsoft.Extensions.Options.ValidateOptionsResult.Fail($"Endpoints:Names must be names of letters, digits, '-', '_' or '.' (at most 100); not: {string.Join(", ", bad.Select(b => $"\"{b}\""))}.");
    }
}
