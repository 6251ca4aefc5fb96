using VPNLens.Web.Runs;

namespace VPNLens.Web.Figures;

/// <summary>The permalink's downloads (docs/exports.md): the run with its verdict and the node's results body as JSON, the figures as long CSV. No sign-in; the token is the key.</summary>
public static class ResultsEndpoints
{
    public static IEndpointRouteBuilder MapResultsDownloads(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/r/{token}").AllowAnonymous().WithTags("Results");
        group.MapGet("/results.json", async (string token, RunSnapshots runs, CancellationToken ct) =>
        {
            var snapshot = await runs.ByTokenAsync(token, ct);
            return ResultsView.From(snapshot?.Run.ResultsJson) is { } results
                ? Results.File(ResultsExport.From(snapshot!, results).ToUtf8(), "application/json", FileName(snapshot!, "json"))
                : NotAvailable(snapshot);
        });
        group.MapGet("/results.csv", async (string token, RunSnapshots runs, CancellationToken ct) =>
        {
            var snapshot = await runs.ByTokenAsync(token, ct);
            return ResultsView.From(snapshot?.Run.ResultsJson) is { } results
                ? Results.File(ResultsCsv.Write(snapshot!, results), "text/csv", FileName(snapshot!, "csv"))
                : NotAvailable(snapshot);
        });
        return app;
    }

    private static IResult NotAvailable(RunSnapshot? snapshot) => snapshot is null
        ? Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Unknown run", detail: "No run has this permalink.")
        : Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "No results yet", detail: $"The run is {snapshot.Run.State.ToString().ToLowerInvariant()}; results appear when the node posts them.");

    private static string FileName(RunSnapshot snapshot, string extension)
    {
        var node = new string([.. snapshot.NodeName.Select(c => char.IsAsciiLetterOrDigit(c) ? c : '-')]);
        var at = (snapshot.Run.FinishedAt ?? snapshot.Run.QueuedAt).UtcDateTime;
        return $"vpnlens-{node}-{at:yyyyMMdd-HHmm}.{extension}";
    }
}
