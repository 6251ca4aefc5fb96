namespace VPNLens.Web.Notifications;

/// <summary>What makes a webhook endpoint's name and URL acceptable; errors are keyed by the field they name.</summary>
public static class WebhookEndpointRules
{
    public const int MaxNameLength = 100;
    public const int MaxUrlLength = 2000;

    public static Dictionary<string, string[]> Validate(string? name, string? url)
    {
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrWhiteSpace(name))
        {
            errors["name"] = ["A name is required, such as \"ntfy\" or \"pager\"."];
        }
        else if (name.Trim().Length > MaxNameLength)
        {
            errors["name"] = [$"The name is longer than {MaxNameLength} characters."];
        }

        if (string.IsNullOrWhiteSpace(url))
        {
            errors["url"] = ["A URL is required, such as https://ntfy.example.com/vpnlens."];
        }
        else if (url.Trim().Length > MaxUrlLength)
        {
            errors["url"] = [$"The URL is longer than {MaxUrlLength} characters."];
        }
        else if (!Uri.TryCreate(url.Trim(), UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps) || string.IsNullOrEmpty(uri.Host))
        {
            errors["url"] = [$"'{url}' is not an absolute http:// or https:// URL."];
        }

        return errors;
    }
}
