using Microsoft.EntityFrameworkCore;
using VPNLens.Web.Callbacks;
using VPNLens.Web.Nodes;
using VPNLens.Web.Persistence;

namespace VPNLens.Web.Runs;

/// <summary>
/// Carries out <see cref="Core.Runs.RunEffect.FetchResults"/>: reads a run's results.json from its node over SSH and
/// applies it through the callback intake, so results the node kept are never lost to a callback that did not arrive.
/// </summary>
public sealed class RunResultsFetcher(
    IDbContextFactory<AppDbContext> dbFactory,
    IRemoteNodeClient nodes,
    CallbackIntake intake,
    ILogger<RunResultsFetcher> logger)
{
    /// <summary>True when the node had results and they ended the run (or something else had already ended it).</summary>
    public async Task<bool> TryFetchAsync(Guid runId, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var nodeId = await db.Runs.AsNoTracking().Where(r => r.Id == runId).Select(r => (Guid?)r.NodeId).FirstOrDefaultAsync(cancellationToken);
        var node = nodeId is null ? null : await db.Nodes.AsNoTracking().FirstOrDefaultAsync(n => n.Id == nodeId, cancellationToken);
        if (node is null)
        {
            return false;
        }

        byte[]? body;
        try
        {
            body = await nodes.FetchResultsAsync(node, runId, cancellationToken);
        }
        catch (RemoteNodeException ex)
        {
            logger.LogWarning("Could not look for the results of run {RunId} on {Node}: {Reason}", runId, node.Name, ex.Message);
            return false;
        }

        if (body is null)
        {
            return false;
        }

        var result = await intake.AcceptFetchedResultsAsync(runId, body, cancellationToken);
        logger.LogInformation("Fetched the results of run {RunId} from {Node}: {Outcome} ({Detail})", runId, node.Name, result.Outcome, result.Detail);
        return result.Outcome is CallbackOutcome.Applied or CallbackOutcome.Duplicate or CallbackOutcome.RunNotRunning;
    }
}
