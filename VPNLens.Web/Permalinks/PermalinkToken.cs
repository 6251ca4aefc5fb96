namespace VPNLens.Web.Permalinks;

/// <summary>What people paste where a run is asked for: a bare token, or its whole permalink (with or without a trailing slash).</summary>
public static class PermalinkToken
{
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
}
