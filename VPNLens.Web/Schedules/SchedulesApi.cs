using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using VPNLens.Core.Schedules;
using VPNLens.Web.Api;
using VPNLens.Web.Persistence;

namespace VPNLens.Web.Schedules;

/// <summary>/api/schedules: admins create, change, pause, resume and delete schedules.</summary>
public static class SchedulesApi
{
    public static IEndpointRouteBuilder MapSchedulesApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/schedules").RequireAuthorization(Authorization.AdminPolicy).WithTags("Schedules");
        group.MapGet("/", ListAsync);
        group.MapGet("/{id:guid}", GetAsync);
        group.MapPost("/", CreateAsync);
        group.MapPut("/{id:guid}", UpdateAsync);
        group.MapPost("/{id:guid}/pause", (Guid id, IDbContextFactory<AppDbContext> db, TimeProvider time, CancellationToken ct) => SetPausedAsync(id, true, db, time, ct));
        group.MapPost("/{id:guid}/resume", (Guid id, IDbContextFactory<AppDbContext> db, TimeProvider time, CancellationToken ct) => SetPausedAsync(id, false, db, time, ct));
        group.MapDelete("/{id:guid}", DeleteAsync);
        return app;
    }

    private static async Task<Ok<List<ScheduleDto>>> ListAsync(IDbContextFactory<AppDbContext> dbFactory, TimeProvider time, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var schedules = await db.Schedules.AsNoTracking().OrderBy(s => s.CreatedAt).ToListAsync(cancellationToken);
        var now = time.GetUtcNow();
        return TypedResults.Ok(schedules.Select(s => ScheduleDto.From(s, now)).ToList());
    }

    private static async Task<Results<Ok<ScheduleDto>, NotFound>> GetAsync(Guid id, IDbContextFactory<AppDbContext> dbFactory, TimeProvider time, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var schedule = await db.Schedules.AsNoTracking().FirstOrDefaultAsync(s => s.Id == id, cancellationToken);
        return schedule is null ? TypedResults.NotFound() : TypedResults.Ok(ScheduleDto.From(schedule, time.GetUtcNow()));
    }

    private static async Task<Results<Created<ScheduleDto>, ValidationProblem>> CreateAsync(
        HttpRequest request, IDbContextFactory<AppDbContext> dbFactory, TimeProvider time, CancellationToken cancellationToken)
    {
        var (input, problem) = await ReadAsync(request, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        if (await ValidateAsync(db, input!, cancellationToken) is { } invalid)
        {
            return invalid;
        }

        var now = time.GetUtcNow();
        var schedule = new Schedule { Cron = input!.Cron!, Email = input.Email!, CreatedAt = now };
        input.ApplyTo(schedule);
        db.Schedules.Add(schedule);
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Created($"/api/schedules/{schedule.Id}", ScheduleDto.From(schedule, now));
    }

    private static async Task<Results<Ok<ScheduleDto>, NotFound, ValidationProblem>> UpdateAsync(
        Guid id, HttpRequest request, IDbContextFactory<AppDbContext> dbFactory, TimeProvider time, CancellationToken cancellationToken)
    {
        var (input, problem) = await ReadAsync(request, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var schedule = await db.Schedules.FirstOrDefaultAsync(s => s.Id == id, cancellationToken);
        if (schedule is null)
        {
            return TypedResults.NotFound();
        }

        if (await ValidateAsync(db, input!, cancellationToken) is { } invalid)
        {
            return invalid;
        }

        var cronChanged = !string.Equals(schedule.Cron, input!.Cron!.Trim(), StringComparison.Ordinal);
        input.ApplyTo(schedule);
        if (cronChanged)
        {
            // A new cron starts counting now: occurrences of the old one are not caught up.
            schedule.LastOccurrence = time.GetUtcNow();
        }

        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Ok(ScheduleDto.From(schedule, time.GetUtcNow()));
    }

    private static async Task<Results<Ok<ScheduleDto>, NotFound>> SetPausedAsync(
        Guid id, bool paused, IDbContextFactory<AppDbContext> dbFactory, TimeProvider time, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var schedule = await db.Schedules.FirstOrDefaultAsync(s => s.Id == id, cancellationToken);
        if (schedule is null)
        {
            return TypedResults.NotFound();
        }

        var now = time.GetUtcNow();
        if (schedule.Paused && !paused)
        {
            // Resuming does not catch up what was missed while paused.
            schedule.LastOccurrence = now;
        }

        schedule.Paused = paused;
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Ok(ScheduleDto.From(schedule, now));
    }

    private static async Task<Results<NoContent, NotFound>> DeleteAsync(Guid id, IDbContextFactory<AppDbContext> dbFactory, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var deleted = await db.Schedules.Where(s => s.Id == id).ExecuteDeleteAsync(cancellationToken);
        return deleted == 0 ? TypedResults.NotFound() : TypedResults.NoContent();
    }

    private static async Task<(ScheduleInput? Input, ValidationProblem? Problem)> ReadAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        try
        {
            var input = await request.ReadFromJsonAsync<ScheduleInput>(JsonSerializerOptions.Web, cancellationToken);
            return input is null
                ? (null, TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["body"] = ["A JSON body with nodeId, protocols, cron and email is required."] }))
                : (input, null);
        }
        catch (JsonException ex)
        {
            return (null, TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["body"] = [$"The body is not valid JSON: {ex.Message}"] }));
        }
        catch (InvalidOperationException)
        {
            return (null, TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["body"] = ["Send a JSON body with Content-Type: application/json."] }));
        }
    }

    private static async Task<ValidationProblem?> ValidateAsync(AppDbContext db, ScheduleInput input, CancellationToken cancellationToken)
    {
        var errors = input.Validate();
        if (!errors.ContainsKey("nodeId") && !await db.Nodes.AnyAsync(n => n.Id == input.NodeId, cancellationToken))
        {
            errors["nodeId"] = [$"There is no node {input.NodeId}."];
        }

        return errors.Count == 0 ? null : TypedResults.ValidationProblem(errors);
    }
}
