using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using VPNLens.Web.Nodes;
using VPNLens.Web.Persistence;

namespace VPNLens.Web.Api;

public static class NodesApi
{
    public static IEndpointRouteBuilder MapNodesApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/nodes").RequireAuthorization(Authorization.AdminPolicy).WithTags("Nodes");
        group.MapGet("/", ListAsync);
        group.MapPost("/", CreateAsync);
        group.MapPut("/{id:guid}", UpdateAsync);
        group.MapPost("/{id:guid}/probe", ProbeAsync);
        group.MapDelete("/{id:guid}", DeleteAsync);
        return app;
    }

    public sealed record NodeDto(Guid Id, string Name, string Host, int Port, string User, string HostKeyFingerprint, string Endpoint)
    {
        public static NodeDto From(Core.Nodes.Node n) => new(n.Id, n.Name, n.Host, n.Port, n.User, n.HostKeyFingerprint, n.Endpoint);
    }

    private static async Task<Ok<List<NodeDto>>> ListAsync(IDbContextFactory<AppDbContext> dbFactory, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var nodes = await db.Nodes.AsNoTracking().OrderBy(n => n.Name).ToListAsync(cancellationToken);
        return TypedResults.Ok(nodes.Select(n => NodeDto.From(n)).ToList());
    }

    private static async Task<Results<Created<NodeDto>, ValidationProblem>> CreateAsync(
        NodeInput input, IDbContextFactory<AppDbContext> dbFactory, TimeProvider time, IOptions<EndpointOptions> endpoints, CancellationToken cancellationToken)
    {
        var errors = input.Validate(endpoints.Value.Known);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        if (errors.Count == 0 && await db.Nodes.AnyAsync(n => n.Name == input.Name!.Trim(), cancellationToken))
        {
            errors["name"] = [$"A node named {input.Name} already exists."];
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var node = input.ToNode(time.GetUtcNow());
        db.Nodes.Add(node);
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Created($"/api/nodes/{node.Id}", NodeDto.From(node));
    }

    private static async Task<Results<Ok<NodeDto>, NotFound, ValidationProblem>> UpdateAsync(
        Guid id, NodeInput input, IDbContextFactory<AppDbContext> dbFactory, IOptions<EndpointOptions> endpoints, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var node = await db.Nodes.FirstOrDefaultAsync(n => n.Id == id, cancellationToken);
        if (node is null)
        {
            return TypedResults.NotFound();
        }

        var errors = input.Validate(endpoints.Value.Known);
        if (errors.Count == 0 && await db.Nodes.AnyAsync(n => n.Id != id && n.Name == input.Name!.Trim(), cancellationToken))
        {
            errors["name"] = [$"A node named {input.Name} already exists."];
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        input.ApplyTo(node);
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Ok(NodeDto.From(node));
    }

    /// <summary>204 once deleted; 409 while a run measures on it, or while runs wait for it and cancelQueuedRuns is not true.</summary>
    private static async Task<Results<NoContent, NotFound, ProblemHttpResult>> DeleteAsync(
        Guid id, NodeRemoval removal, CancellationToken cancellationToken, bool cancelQueuedRuns = false)
    {
        var outcome = await removal.DeleteAsync(id, cancelQueuedRuns, cancellationToken);
        return outcome.Status switch
        {
            NodeRemovalStatus.Deleted => TypedResults.NoContent(),
            NodeRemovalStatus.NotFound => TypedResults.NotFound(),
            _ => TypedResults.Problem(outcome.Problem, statusCode: StatusCodes.Status409Conflict, title: "The node is in use"),
        };
    }

    private static async Task<Results<Ok<NodeProbe>, NotFound>> ProbeAsync(
        Guid id, IDbContextFactory<AppDbContext> dbFactory, NodeCatalog catalog, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var node = await db.Nodes.AsNoTracking().FirstOrDefaultAsync(n => n.Id == id, cancellationToken);
        return node is null ? TypedResults.NotFound() : TypedResults.Ok(await catalog.ProbeAsync(node, cancellationToken));
    }
}
