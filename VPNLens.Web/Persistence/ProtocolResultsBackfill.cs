namespace VPNLens.Web.Persistence;

/// <summary>SQL the migrations run on both providers to fill columns copied from a result's run into the rows stored before them.</summary>
internal static class ProtocolResultsBackfill
{
    /// <summary>Each stored result takes its run's node and end (0, the epoch, for a run with none: it has no place in a series).</summary>
    public const string NodeAndFinishedAt =
        """
        UPDATE "ProtocolResults" SET
            "NodeId" = (SELECT r."NodeId" FROM "Runs" AS r WHERE r."Id" = "ProtocolResults"."RunId"),
            "FinishedAt" = COALESCE((SELECT r."FinishedAt" FROM "Runs" AS r WHERE r."Id" = "ProtocolResults"."RunId"), 0)
        """;
}
