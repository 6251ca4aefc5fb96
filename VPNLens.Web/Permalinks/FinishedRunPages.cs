using System.Text.RegularExpressions;

namespace VPNLens.Web.Permalinks;

/// <summary>
/// A finished run's permalink page never changes again, so it is rendered statically (no circuit: nothing on it
/// moves) and served from the output cache to signed-out visitors. A live run's page stays interactive.
/// </summary>
public static partial class FinishedRunPages
{
    public const string CachePolicy = "finished-run-page";

    private const string FinishedKey = "vpnlens.finished-run-page";

    /// <summary>The token when <paramref name="path"/> is a permalink page (<c>/r/{token}</c>, not its downloads).</summary>
    public static string? TokenOf(PathString path) =>
        path.Value is { } value && PermalinkPath().Match(value) is { Success: true } match ? match.Groups["token"].Value : null;

    /// <summary>Said by the page while it renders a finished run statically: only such a response may be stored.</summary>
    public static void MarkFinished(HttpContext context) => context.Items[FinishedKey] = true;

    public static bool IsMarkedFinished(HttpContext context) => context.Items.ContainsKey(FinishedKey);

    [GeneratedRegex("^/r/(?<token>[A-Za-z0-9_-]{1,64})/?$", RegexOptions.CultureInvariant)]
    private static partial Regex PermalinkPath();
}
