using System.Text.Json;
using Hangfire;
using Hangfire.States;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using VPNLens.Core.Webhooks;
using VPNLens.Web.Api;
using VPNLens.Web.Email;
using VPNLens.Web.Persistence;

namespace VPNLens.Web.Notifications;

public sealed record WebhookEndpointInput(string? Name, string? Url, bool? Enabled);

public sealed record WebhookEndpointDto(Guid Id, string Name, string Url, bool Enabled, DateTimeOffset CreatedAt)
{
    public static WebhookEndpointDto From(WebhookEndpoint e) => new(e.Id, e.Name, e.Url, e.Enabled, e.CreatedAt);
}

/// <summary>The answer to a create: the only time the signing secret is shown.</summary>
public sealed record CreatedWebhookEndpointDto(Guid Id, string Name, string Url, bool Enabled, DateTimeOffset CreatedAt, string Secret);

public sealed record WebhookAttemptDto(string MessageId, string Type, int Attempt, DateTimeOffset At, int? StatusCode, string? Error, double DurationMs, bool Succeeded)
{
    public static WebhookAttemptDto From(WebhookAttempt a) => new(a.MessageId, a.Type, a.Attempt, a.At, a.StatusCode, a.Error, a.Duration.TotalMilliseconds, a.Succeeded);
}

public sealed record WebhookTestDto(string MessageId);

/// <summary>/api/webhooks: admins list, add and delete outgoing webhook endpoints, send a test and read the delivery log.</summary>
public static class WebhooksApi
{
    public static IEndpointRouteBuilder MapWebhooksApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/webhooks").RequireAuthorization(Authorization.AdminPolicy).WithTags("Webhooks");
        group.MapGet("/", ListAsync);
        group.MapPost("/", CreateAsync);
        group.MapDelete("/{id:guid}", DeleteAsync);
        group.MapPost("/{id:guid}/test", TestAsync);
        group.MapGet("/{id:guid}/deliveries", DeliveriesAsync);
        return app;
    }

    private static async Task<Ok<List<WebhookEndpointDto>>> ListAsync(IDbContextFactory<AppDbContext> dbFactory, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var endpoints = await db.WebhookEndpoints.AsNoTracking().OrderBy(e => e.CreatedAt).ToListAsync(cancellationToken);
        return TypedResults.Ok(endpoints.Select(WebhookEndpointDto.From).ToList());
    }

    private static async Task<Results<Created<CreatedWebhookEndpointDto>, ValidationProblem>> CreateAsync(
        HttpRequest request, WebhookEndpoints endpoints, CancellationToken cancellationToken)
    {
        WebhookEndpointInput? input;
        try
        {
            input = await request.ReadFromJsonAsync<WebhookEndpointInput>(JsonSerializerOptions.Web, cancellationToken);
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["body"] = [$"Send a JSON body with name and url (Content-Type: application/json): {ex.Message}"] });
        }

        var errors = WebhookEndpointRules.Validate(input?.Name, input?.Url);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var endpoint = await endpoints.AddAsync(input!.Name!, input.Url!, input.Enabled ?? true, cancellationToken);
        return TypedResults.Created(
            $"/api/webhooks/{endpoint.Id}",
            new CreatedWebhookEndpointDto(endpoint.Id, endpoint.Name, endpoint.Url, endpoint.Enabled, endpoint.CreatedAt, endpoint.Secret));
    }

    private static async Task<Results<NoContent, NotFound>> DeleteAsync(Guid id, WebhookEndpoints endpoints, CancellationToken cancellationToken) =>
        await endpoints.DeleteAsync(id, cancellationToken) ? TypedResults.NoContent() : TypedResults.NotFound();

    private static async Task<Results<Accepted<WebhookTestDto>, NotFound>> TestAsync(Guid id, WebhookEndpoints endpoints, CancellationToken cancellationToken) =>
        await endpoints.SendTestAsync(id, cancellationToken) is { } messageId
            ? TypedResults.Accepted($"/api/webhooks/{id}/deliveries", new WebhookTestDto(messageId))
            : TypedResults.NotFound();

    private static async Task<Results<Ok<List<WebhookAttemptDto>>, NotFound>> DeliveriesAsync(Guid id, WebhookEndpoints endpoints, CancellationToken cancellationToken) =>
        await endpoints.AttemptsAsync(id, cancellationToken) is { } attempts
            ? TypedResults.Ok(attempts.Select(WebhookAttemptDto.From).ToList())
            : TypedResults.NotFound();
}

/// <summary>The webhook endpoints as the API and the admin page use them.</summary>
public sealed class WebhookEndpoints(IDbContextFactory<AppDbContext> dbFactory, IBackgroundJobClient jobs, TimeProvider time)
{
    public async Task<List<WebhookEndpoint>> ListAsync(CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.WebhookEndpoints.AsNoTracking().OrderBy(e => e.CreatedAt).ToListAsync(cancellationToken);
    }

    /// <summary>Adds an endpoint with a new secret; the returned entity holds the secret in clear, to be shown once.</summary>
    public async Task<WebhookEndpoint> AddAsync(string name, string url, bool enabled, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var endpoint = new WebhookEndpoint { Name = name.Trim(), Url = url.Trim(), Secret = WebhookSecret.Generate(), Enabled = enabled, CreatedAt = time.GetUtcNow() };
        db.WebhookEndpoints.Add(endpoint);
        await db.SaveChangesAsync(cancellationToken);
        return endpoint;
    }

    public async Task<bool> DeleteAsync(Guid id, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.WebhookEndpoints.Where(e => e.Id == id).ExecuteDeleteAsync(cancellationToken) > 0;
    }

    /// <summary>Queues a signed "test" message to the endpoint; its message id, or null when there is no such endpoint.</summary>
    public async Task<string?> SendTestAsync(Guid id, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var name = await db.WebhookEndpoints.Where(e => e.Id == id).Select(e => e.Name).FirstOrDefaultAsync(cancellationToken);
        if (name is null)
        {
            return null;
        }

        var messageId = AlertNotificationJob.NewMessageId();
        var payload = AlertNotice.TestPayload(name, time.GetUtcNow());
        jobs.Create<WebhookDeliveryJob>(job => job.DeliverAsync(id, messageId, AlertNotice.Test, payload, CancellationToken.None), new EnqueuedState(RunNotificationJob.QueueName));
        return messageId;
    }

    /// <summary>The endpoint's delivery log, newest first; null when there is no such endpoint.</summary>
    public async Task<List<WebhookAttempt>?> AttemptsAsync(Guid id, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        if (!await db.WebhookEndpoints.AnyAsync(e => e.Id == id, cancellationToken))
        {
            return null;
        }

        return await db.WebhookAttempts.AsNoTracking().Where(a => a.EndpointId == id).OrderByDescending(a => a.Id).ToListAsync(cancellationToken);
    }
}
