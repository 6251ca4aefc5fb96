using Microsoft.EntityFrameworkCore;
using VPNLens.Core.Nodes;
using VPNLens.Web.Persistence;

namespace VPNLens.Web.Nodes;

public sealed record NodeSaveOutcome(Node? Node, Dictionary<string, string[]> Errors);

/// <summary>Adds and edits nodes for the Nodes page, with the same checks as the API (NodeInput) plus a unique name.</summary>
public sealed class NodeCatalog(IDbContextFactory<AppDbContext> dbFactory, TimeProvider time, Microsoft.Extensions.Options.IOptions<EndpointOptions> endpoints, IRemoteNodeClient remote)
{
    /// <summary>Probes the node and, when it answered, keeps the tools it found for the run form.</summary>
    public async Task<NodeProbe> ProbeAsync(Node node, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(node);
        var probe = await remote.ProbeAsync(node, cancellationToken);
        if (probe.Reachable)
        {
            var tools = NodeReadiness.Present(probe);
            var at = time.GetUtcNow();
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            var stored = await db.Nodes.FirstOrDefaultAsync(n => n.Id == node.Id, cancellationToken);
            if (stored is not null)
            {
                stored.ProbedTools = tools;
                stored.ProbedAt = at;
                stored.ProbedIpv6 = probe.Ipv6;
                await db.SaveChangesAsync(cancellationToken);
            }

            node.ProbedTools = tools;
            node.ProbedAt = at;
            node.ProbedIpv6 = probe.Ipv6;
        }

        return probe;
    }

    public async Task<List<Node>> ListAsync(CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.Nodes.AsNoTracking().OrderBy(n => n.Name).ToListAsync(cancellationToken);
    }

    /// <summary>Creates a node (<paramref name="id"/> null) or changes one; errors are keyed like NodeInput's.</summary>
    public async Task<NodeSaveOutcome> SaveAsync(Guid? id, NodeInput input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        var errors = input.Validate(endpoints.Value.Known);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        if (!errors.ContainsKey("name"))
        {
            var name = input.Name!.Trim();
            if (await db.Nodes.AnyAsync(n => n.Name == name && n.Id != id, cancellationToken))
            {
                errors["name"] = [$"A node named {name} already exists."];
            }
        }

        if (errors.Count > 0)
        {
            return new NodeSaveOutcome(null, errors);
        }

        Node? node;
        if (id is null)
        {
            node = input.ToNode(time.GetUtcNow());
            db.Nodes.Add(node);
        }
        else
        {
            node = await db.Nodes.FirstOrDefaultAsync(n => n.Id == id, cancellationToken);
            if (node is null)
            {
                return new NodeSaveOutcome(null, new Dictionary<string, string[]> { ["name"] = ["This node was deleted meanwhile."] });
            }

            input.ApplyTo(node);
        }

        await db.SaveChangesAsync(cancellationToken);
        return new NodeSaveOutcome(node, errors);
    }
}
