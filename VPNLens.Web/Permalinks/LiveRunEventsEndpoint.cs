using VPNLens.Web.Runs;

namespace VPNLens.Web.Permalinks;

public static class LiveRunEventsEndpoint
{
    public const string EventType = "changed";

    public static string PathFor(string token) => $"/r/{token}/events";

    /// <summary>
    /// <c>GET /r/{token}/events</c>: Server-Sent Events for a live permalink page without a circuit. A "changed" event
    /// (<see cref="LiveRunChange"/>) with the run's version now, then one per change, until the run ends.
    /// </summary>
    public static IEndpointRouteBuilder MapLiveRunEvents(this IEndpointRouteBuilder app)
    {
        app.MapGet("/r/{token}/events", async (string token, RunSnapshots snapshots, LiveRunPages pages, HttpContext http) =>
        {
            var runId = PermalinkToken.IsWellFormed(token) ? await snapshots.IdByTokenAsync(token, http.RequestAborted) : Guid.Empty;
            if (runId == Guid.Empty)
            {
                return Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Unknown run", detail: "No run has this permalink.");
            }

            // Caddy's encode would compress the stream and hold its events back (see the Caddyfile); it passes this as it is.
            http.Response.Headers.ContentEncoding = "identity";
            return TypedResults.ServerSentEvents(pages.FollowAsync(runId, http.RequestAborted), EventType);
        }).AllowAnonymous().WithTags("Results");
        return app;
    }
}
