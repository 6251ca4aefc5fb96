using System.Text.Json;
using System.Text.Json.Serialization;

namespace VPNLens.Core.Runs;

/// <summary>The params.json a node's run.sh reads (docs/node-protocol.md).</summary>
public sealed record RunParameters(
    Guid RunId,
    string CallbackUrl,
    string Secret,
    IReadOnlyList<string> Protocols,
    RunSettings Settings,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyDictionary<string, string>? Secrets)
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public static RunParameters For(Run run, Uri callbackBase, IReadOnlyDictionary<string, string>? secrets = null)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(callbackBase);
        var callback = new Uri(callbackBase, $"api/runs/{run.Id}").ToString();
        return new RunParameters(run.Id, callback, run.CallbackSecret, run.Protocols, run.Settings, secrets is { Count: > 0 } ? secrets : null);
    }

    public string ToJson() => JsonSerializer.Serialize(this, Options);
}
