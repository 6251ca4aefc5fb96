using System.Text.RegularExpressions;

namespace VPNLens.Web.Permalinks;

/// <summary>What people paste where a run is asked for: a bare token, or its whole permalink (with or without a trailing slash).</summary>
public static partial class PermalinkToken
{
    /// <summary>Whether <paramref name="token"/> has a permalink token's shape (URL-safe base64, at most 64 characters).</summary>
    public static bool IsWellFormed(string? token) => token is not null && Shape().IsMatch(token);

    public static string? FromLinkOrToken(string? text)
    {
        var value = text?.Trim();
        if (string.IsNullOrEmpty(value))
        {
            return null;
        }

        var end = value.IndexOfAny(['?', '#']);
        value = (end >= 0 ? value[..end] : value).TrimEnd('/');
        var slash = value.LastIndexOf('/');
        return slash >= 0 ? value[(slash + 1)..] : value;
    }

    [GeneratedRegex("^[A-Za-z0-9_-]{1,64}$", RegexOptions.CultureInvariant)]
    private static partial Regex Shape();
}
