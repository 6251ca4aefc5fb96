using System.Text.Json;
using VPNLens.Core.Runs;
using VPNLens.Web.Runs;

namespace VPNLens.Web.Figures;

/// <summary>The JSON download of a run (docs/exports.md): who, where and when, the verdict, and the node's results body unchanged.</summary>
public sealed record ResultsExport(
    int SchemaVersion,
    Guid RunId,
    ExportNode Node,
    string State,
    IReadOnlyList<string> Protocols,
    DateTimeOffset QueuedAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset? FinishedAt,
    RunSettings Settings,
    VerdictDto Verdict,
    JsonElement Results)
{
    public const int CurrentSchemaVersion = 1;

    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public static ResultsExport From(RunSnapshot snapshot, ResultsView view)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        ArgumentNullException.ThrowIfNull(view);
        var run = snapshot.Run;
        return new ResultsExport(
            CurrentSchemaVersion,
            run.Id,
            new ExportNode(run.NodeId, snapshot.NodeName),
            run.State.ToString(),
            run.Protocols,
            run.QueuedAt,
            run.StartedAt,
            run.FinishedAt,
            run.Settings,
            VerdictDto.From(view.Verdict),
            JsonSerializer.Deserialize<JsonElement>(run.ResultsJson!));
    }

    public byte[] ToUtf8() => JsonSerializer.SerializeToUtf8Bytes(this, Options);
}

public sealed record ExportNode(Guid Id, string Name);
