using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using VPNLens.Core.Runs;
using VPNLens.Core.Verdicts;
using VPNLens.Web.Figures;
using VPNLens.Web.Persistence;

namespace VPNLens.Web.Api;

/// <summary><c>GET /api/compare?a={run id}&amp;b={run id}</c>: the compare page's judgement, for automation.</summary>
public static class CompareApi
{
    public static IEndpointRouteBuilder MapCompareApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/compare", CompareAsync).RequireAuthorization(Authorization.ApiPolicy).WithTags("Runs");
        return app;
    }

    private static async Task<Results<Ok<ComparisonDto>, ValidationProblem, ProblemHttpResult>> CompareAsync(
        string? a, string? b, IDbContextFactory<AppDbContext> dbFactory, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        var idA = ParseId("a", a, errors);
        var idB = ParseId("b", b, errors);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var runs = await db.Runs.AsNoTracking().Where(r => r.Id == idA || r.Id == idB).ToListAsync(cancellationToken);
        var runA = runs.FirstOrDefault(r => r.Id == idA);
        var runB = runs.FirstOrDefault(r => r.Id == idB);
        if (runA is null || runB is null)
        {
            return TypedResults.Problem($"There is no run {(runA is null ? idA : idB)}.", statusCode: StatusCodes.Status404NotFound);
        }

        var viewA = ResultsView.From(runA.ResultsJson);
        var viewB = ResultsView.From(runB.ResultsJson);
        if (viewA is null || viewB is null)
        {
            var waiting = viewA is null ? runA : runB;
            return TypedResults.Problem(
                $"Run {waiting.Id} has no results to compare ({waiting.State.ToString().ToLowerInvariant()}).",
                statusCode: StatusCodes.Status409Conflict);
        }

        var spreads = await RunToRunHistory.ForAsync(db, runA, runB, cancellationToken);
        return TypedResults.Ok(ComparisonDto.From(runA, runB, RunComparisons.Compare(viewA.Report, viewB.Report, spreads)));
    }

    private static Guid ParseId(string field, string? value, Dictionary<string, string[]> errors)
    {
        if (Guid.TryParse(value, out var id))
        {
            return id;
        }

        errors[field] = [string.IsNullOrWhiteSpace(value) ? $"Give run {field.ToUpperInvariant()}'s id as ?{field}=<run id>." : $"'{value}' is not a run id."];
        return Guid.Empty;
    }
}
