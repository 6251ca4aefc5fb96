using System.Text.RegularExpressions;
using VPNLens.Core.Runs;

namespace VPNLens.Web.Permalinks;

/// <summary>
/// A permalink page that signed-out visitors share: rendered statically (no circuit) and served from the output cache.
/// A finished run's page never changes again and is kept long; a live run's page is kept briefly and evicted on each of
/// its run's events (<see cref="LiveRunPages"/>), whose push tells its open pages to fetch it again.
/// Signed-in visitors get their own page (it names them): a live run's page stays interactive for them.
/// </summary>
public static partial class SharedRunPages
{
    public const string CachePolicy = "shared-run-page";

    /// <summary>Every cached page of a queued run: any run starting or ending moves its place in the queue.</summary>
    public const string QueuedTag = "run-page:queued";

    /// <summary>How long the output cache keeps a finished run's page.</summary>
    public static readonly TimeSpan FinishedLifetime = TimeSpan.FromHours(1);

    /// <summary>How long it keeps a live run's page, unless one of the run's events evicts it sooner.</summary>
    public static readonly TimeSpan LiveLifetime = TimeSpan.FromSeconds(2);

    private const string SharedKey = "vpnlens.shared-run-page";

    public static string TagFor(Guid runId) => $"run-page:{runId:N}";

    /// <summary>The token when <paramref name="path"/> is a permalink page (<c>/r/{token}</c>, not its downloads).</summary>
    public static string? TokenOf(PathString path) =>
        path.Value is { } value && PermalinkPath().Match(value) is { Success: true } match ? match.Groups["token"].Value : null;

    /// <summary>Said by the page while it renders statically: only such a response may be stored, for as long as the run's state allows.</summary>
    public static void MarkShared(HttpContext context, Guid runId, RunState state) => context.Items[SharedKey] = new SharedRunPage(runId, state);

    public static SharedRunPage? SharedPageOf(HttpContext context) => context.Items.TryGetValue(SharedKey, out var page) ? page as SharedRunPage : null;

    [GeneratedRegex("^/r/(?<token>[A-Za-z0-9_-]{1,64})/?$", RegexOptions.CultureInvariant)]
    private static partial Regex PermalinkPath();
}

/// <summary>The run a shared page shows and the state it showed it in.</summary>
public sealed record SharedRunPage(Guid RunId, RunState State)
{
    public bool IsFinished => State.IsTerminal();
}
