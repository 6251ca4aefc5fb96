using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using VPNLens.Core.Runs;
using VPNLens.Web.Figures;
using VPNLens.Web.Persistence;
using VPNLens.Web.Runs;

namespace VPNLens.Web.Api;

public static class RunsApi
{
    public static IEndpointRouteBuilder MapRunsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/runs").RequireAuthorization(Authorization.ApiPolicy).WithTags("Runs");
        group.MapPost("/", QueueAsync);
        group.MapGet("/", ListAsync);
        group.MapGet("/{id:guid}", GetAsync);
        group.MapPost("/{id:guid}/cancel", CancelAsync);
        return app;
    }

    private static async Task<Results<Accepted<RunDto>, ValidationProblem>> QueueAsync(
        HttpRequest request, RunQueue queue, IOptions<AppOptions> appOptions, CancellationToken cancellationToken)
    {
        RunRequest? body;
        try
        {
            body = await request.ReadFromJsonAsync<RunRequest>(JsonSerializerOptions.Web, cancellationToken);
        }
        catch (JsonException ex)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["body"] = [$"The body is not valid JSON: {ex.Message}"] });
        }
        catch (InvalidOperationException)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["body"] = ["Send a JSON body with Content-Type: application/json."] });
        }

        if (body is null)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["body"] = ["A JSON body with nodeId, protocols and email is required."] });
        }

        var outcome = await queue.EnqueueAsync(body, cancellationToken);
        if (outcome.Queued is null)
        {
            return TypedResults.ValidationProblem(outcome.Errors);
        }

        var run = outcome.Queued.Run;
        var dto = RunDto.From(run, appOptions.Value.PermalinkFor(run.PublicToken), outcome.Queued.Position);
        return TypedResults.Accepted($"/api/runs/{run.Id}", dto);
    }

    private static async Task<Ok<List<RunDto>>> ListAsync(
        IDbContextFactory<AppDbContext> dbFactory, IOptions<AppOptions> appOptions, CancellationToken cancellationToken, int take = 50)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var runs = await db.Runs.AsNoTracking().OrderByDescending(r => r.QueuedAt).Take(Math.Clamp(take, 1, 500)).ToListAsync(cancellationToken);
        return TypedResults.Ok(runs.Select(r => RunDto.From(r, appOptions.Value.PermalinkFor(r.PublicToken), null)).ToList());
    }

    private static async Task<Results<Ok<RunDto>, NotFound>> GetAsync(
        Guid id, IDbContextFactory<AppDbContext> dbFactory, IOptions<AppOptions> appOptions, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var run = await db.Runs.AsNoTracking().FirstOrDefaultAsync(r => r.Id == id, cancellationToken);
        if (run is null)
        {
            return TypedResults.NotFound();
        }

        var phases = await db.PhaseEvents.AsNoTracking().Where(e => e.RunId == id).OrderBy(e => e.Id).ToListAsync(cancellationToken);
        var position = await RunQueue.PositionAsync(db, run, cancellationToken);
        object? results = run.ResultsJson is null ? null : JsonSerializer.Deserialize<JsonElement>(run.ResultsJson);
        var verdict = ResultsView.From(run.ResultsJson) is { } view ? VerdictDto.From(view.Verdict) : null;
        return TypedResults.Ok(RunDto.From(run, appOptions.Value.PermalinkFor(run.PublicToken), position, phases, results, verdict));
    }

    private static async Task<Results<Accepted, NotFound, Conflict<string>>> CancelAsync(
        Guid id, RunQueue queue, IDbContextFactory<AppDbContext> dbFactory, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        if (!await db.Runs.AnyAsync(r => r.Id == id, cancellationToken))
        {
            return TypedResults.NotFound();
        }

        return await queue.CancelAsync(id, cancellationToken)
            ? TypedResults.Accepted($"/api/runs/{id}")
            : TypedResults.Conflict("The run has already ended.");
    }
}
