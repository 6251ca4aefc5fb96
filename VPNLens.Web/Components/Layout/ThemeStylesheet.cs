using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Web;
using MudBlazor;

namespace VPNLens.Web.Components.Layout;

/// <summary>
/// The theme's CSS as <see cref="MudThemeProvider"/> renders it, rendered once per process and served as a stylesheet
/// (<see cref="Path"/>, versioned by its hash) that browsers keep. Rendered in every page instead, the provider would
/// rebuild the same ~12 KB of CSS on every page load and send it with every page, and its dispose calls into JavaScript,
/// which throws on a statically rendered page (MudBlazor catches it): one exception per request.
/// </summary>
public sealed partial class ThemeStylesheet(IServiceScopeFactory scopes, ILoggerFactory loggers)
{
    public const string Path = "/theme.css";

    private readonly Lazy<Task<Stylesheet>> stylesheet = new(() => RenderAsync(scopes, loggers));

    public sealed record Stylesheet(string Css, string Version)
    {
        public string Href => $"{Path}?v={Version}";
    }

    public Task<Stylesheet> GetAsync() => stylesheet.Value;

    private static async Task<Stylesheet> RenderAsync(IServiceScopeFactory scopes, ILoggerFactory loggers)
    {
        await using var scope = scopes.CreateAsyncScope();
        await using var renderer = new HtmlRenderer(scope.ServiceProvider, loggers);
        var parameters = ParameterView.FromDictionary(new Dictionary<string, object?>
        {
            [nameof(MudThemeProvider.Theme)] = VpnLensTheme.Theme,
        });
        var html = await renderer.Dispatcher.InvokeAsync(async () =>
            (await renderer.RenderComponentAsync<MudThemeProvider>(parameters)).ToHtmlString());
        var css = CssOf(html);
        var version = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(css)))[..16];
        return new Stylesheet(css, version);
    }

    /// <summary>The contents of the provider's style elements; anything else in its markup would be lost, so it is refused.</summary>
    internal static string CssOf(string html)
    {
        var styles = StyleElement().Matches(html);
        var rest = StyleElement().Replace(html, string.Empty).Trim();
        if (styles.Count == 0 || rest.Length > 0)
        {
            throw new InvalidOperationException(
                $"MudThemeProvider rendered more than style elements; the theme cannot be a stylesheet: {rest[..Math.Min(200, rest.Length)]}");
        }

        return string.Join('\n', styles.Select(style => style.Groups["css"].Value.Trim()));
    }

    [GeneratedRegex(@"<style\b[^>]*>(?<css>.*?)</style>", RegexOptions.Singleline | RegexOptions.IgnoreCase)]
    private static partial Regex StyleElement();
}
