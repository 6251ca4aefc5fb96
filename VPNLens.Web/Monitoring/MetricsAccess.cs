using System.Net;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;
using VPNLens.Web.Api;
using VPNLens.Web.ApiTokens;

namespace VPNLens.Web.Monitoring;

/// <summary>/metrics: a bearer token with the metrics or admin scope, or a request from Metrics:AllowedNetworks.</summary>
public sealed class MetricsAccessRequirement : IAuthorizationRequirement;

public sealed class MetricsAccessHandler(IOptions<MetricsOptions> options) : AuthorizationHandler<MetricsAccessRequirement>
{
    private readonly IReadOnlyList<IPNetwork> allowed = options.Value.ParsedNetworks();

    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, MetricsAccessRequirement requirement)
    {
        ArgumentNullException.ThrowIfNull(context);
        var scope = context.User.FindFirst(ApiTokenAuthenticationHandler.ScopeClaim)?.Value;
        if (scope is not null && (scope == Scope(ApiTokenScope.Metrics) || scope == Scope(ApiTokenScope.Admin)))
        {
            context.Succeed(requirement);
        }
        else if (context.Resource is HttpContext http && http.Connection.RemoteIpAddress is { } remote && IsAllowed(remote))
        {
            context.Succeed(requirement);
        }

        return Task.CompletedTask;
    }

    private bool IsAllowed(IPAddress remote)
    {
        var address = remote.IsIPv4MappedToIPv6 ? remote.MapToIPv4() : remote;
        return allowed.Any(network => network.Contains(address));
    }

    private static string Scope(ApiTokenScope scope) => scope.ToString().ToLowerInvariant();
}
