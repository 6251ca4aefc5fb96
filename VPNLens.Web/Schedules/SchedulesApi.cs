using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using VPNLens.Core.Schedules;
using VPNLens.Web.Api;

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
        group.MapPost("/{id:guid}/pause", (Guid id, ScheduleBook book, TimeProvider time, CancellationToken ct) => SetPausedAsync(id, true, book, time, ct));
        group.MapPost("/{id:guid}/resume", (Guid id, ScheduleBook book, TimeProvider time, CancellationToken ct) => SetPausedAsync(id, false, book, time, ct));
        group.MapDelete("/{id:guid}", DeleteAsync);
        return app;
    }

    private static async Task<Ok<List<ScheduleDto>>> ListAsync(ScheduleBook book, TimeProvider time, CancellationToken cancellationToken)
    {
        var schedules = await book.ListAsync(cancellationToken);
        var now = time.GetUtcNow();
        return TypedResults.Ok(schedules.Select(s => ScheduleDto.From(s, now)).ToList());
    }

    private static async Task<Results<Ok<ScheduleDto>, NotFound>> GetAsync(Guid id, ScheduleBook book, TimeProvider time, CancellationToken cancellationToken) =>
        await book.FindAsync(id, cancellationToken) is { } schedule ? TypedResults.Ok(ScheduleDto.From(schedule, time.GetUtcNow())) : TypedResults.NotFound();

    private static async Task<Results<Created<ScheduleDto>, ValidationProblem>> CreateAsync(
        HttpRequest request, ScheduleBook book, TimeProvider time, CancellationToken cancellationToken)
    {
        var (input, problem) = await ReadAsync(request, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        var outcome = await book.SaveAsync(null, input!, cancellationToken);
        return outcome.Schedule is { } schedule
            ? TypedResults.Created($"/api/schedules/{schedule.Id}", ScheduleDto.From(schedule, time.GetUtcNow()))
            : TypedResults.ValidationProblem(outcome.Errors);
    }

    private static async Task<Results<Ok<ScheduleDto>, NotFound, ValidationProblem>> UpdateAsync(
        Guid id, HttpRequest request, ScheduleBook book, TimeProvider time, CancellationToken cancellationToken)
    {
        var (input, problem) = await ReadAsync(request, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        var outcome = await book.SaveAsync(id, input!, cancellationToken);
        if (outcome.Missing)
        {
            return TypedResults.NotFound();
        }

        return outcome.Schedule is { } schedule ? TypedResults.Ok(ScheduleDto.From(schedule, time.GetUtcNow())) : TypedResults.ValidationProblem(outcome.Errors);
    }

    private static async Task<Results<Ok<ScheduleDto>, NotFound>> SetPausedAsync(
        Guid id, bool paused, ScheduleBook book, TimeProvider time, CancellationToken cancellationToken) =>
        await book.SetPausedAsync(id, paused, cancellationToken) is { } schedule ? TypedResults.Ok(ScheduleDto.From(schedule, time.GetUtcNow())) : TypedResults.NotFound();

    private static async Task<Results<NoContent, NotFound>> DeleteAsync(Guid id, ScheduleBook book, CancellationToken cancellationToken) =>
        await book.DeleteAsync(id, cancellationToken) ? TypedResults.NoContent() : TypedResults.NotFound();

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
}
