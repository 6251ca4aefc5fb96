using Microsoft.Extensions.Options;
using VPNLens.Core.Webhooks;
using VPNLens.Web.Callbacks;
using VPNLens.Web.Runs;

namespace VPNLens.Web.Api;

/// <summary>Where nodes post signed phase events and results (docs/node-protocol.md). Authenticated by signature, not by user.</summary>
public static class CallbacksApi
{
    public static IEndpointRouteBuilder MapCallbacksApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/runs/{id:guid}").AllowAnonymous().WithTags("Callbacks");
        group.MapPost("/phases", (Guid id, HttpRequest request, PhaseBatchWriter phases, IOptions<CallbackOptions> options, CancellationToken ct) =>
            HandleAsync(request, options.Value.MaxBodyBytes, message => phases.SubmitAsync(id, message, ct), ct));
        group.MapPost("/results", (Guid id, HttpRequest request, CallbackIntake intake, ResultsIntakeLimit limit, IOptions<CallbackOptions> options, CancellationToken ct) =>
            HandleAsync(request, options.Value.MaxBodyBytes, message => AcceptInTurnAsync(limit, () => intake.AcceptResultsAsync(id, message, ct), ct), ct));
        return app;
    }

    /// <summary>Stores the results in their turn (<see cref="ResultsIntakeLimit"/>), or answers busy when no turn is left.</summary>
    private static async Task<CallbackResult> AcceptInTurnAsync(ResultsIntakeLimit limit, Func<Task<CallbackResult>> accept, CancellationToken cancellationToken)
    {
        using var turn = await limit.TurnAsync(cancellationToken);
        return turn.IsAcquired
            ? await accept()
            : new CallbackResult(CallbackOutcome.Busy, $"More results are waiting to be stored than Callbacks:ResultsQueueLimit allows; post again after {(int)ResultsIntakeLimit.RetryAfter.TotalSeconds} s.");
    }

    private static IResult Busy(HttpResponse response, string detail)
    {
        response.Headers.RetryAfter = ((int)ResultsIntakeLimit.RetryAfter.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture);
        return Results.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Too many results at once", detail: detail);
    }

    private static async Task<IResult> HandleAsync(HttpRequest request, int maxBytes, Func<SignedMessage, Task<CallbackResult>> accept, CancellationToken cancellationToken)
    {
        var body = await CallbackBody.ReadAsync(request, maxBytes, cancellationToken);
        if (body is null)
        {
            return Results.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "Body too large", detail: $"Callbacks are limited to {maxBytes} bytes.");
        }

        if (CallbackBody.FirstInvalidUtf8(body) is { } offset)
        {
            // Decoding would replace the bad bytes, and what is stored would no longer be what was signed.
            return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Malformed callback", detail: $"The body is not valid UTF-8 (at byte {offset}).");
        }

        var message = new SignedMessage(
            request.Headers[WebhookSignature.IdHeader],
            request.Headers[WebhookSignature.TimestampHeader],
            request.Headers[WebhookSignature.SignatureHeader],
            body);
        var result = await accept(message);
        return result.Outcome switch
        {
            CallbackOutcome.Busy => Busy(request.HttpContext.Response, result.Detail),
            CallbackOutcome.Applied => Results.Ok(new { status = "applied" }),
            CallbackOutcome.Duplicate => Results.Ok(new { status = "duplicate" }),
            CallbackOutcome.UnknownRun => Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Unknown run", detail: result.Detail),
            CallbackOutcome.Unauthorized => Results.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Bad signature", detail: result.Detail),
            CallbackOutcome.Malformed => Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Malformed callback", detail: result.Detail),
            CallbackOutcome.RunNotRunning => Results.Problem(statusCode: StatusCodes.Status409Conflict, title: "Run not running", detail: result.Detail),
            _ => throw new InvalidOperationException($"Unhandled callback outcome {result.Outcome}."),
        };
    }
}
