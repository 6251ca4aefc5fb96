using System.Text.Json;
using Microsoft.Playwright;
using VPNLens.Tests.Infrastructure;

namespace VPNLens.Tests.Browser;

/// <summary>
/// axe-core (Deque's accessibility engine, from npm: tools/npm, installed by <c>./vpnlens test</c>) run inside a page,
/// and the page's width checked against the window's.
/// </summary>
public static class Axe
{
    private static readonly Lazy<string> Script = new(Load);

    /// <summary>The serious and critical violations on the page as it is now, one line each (rule, impact, elements).</summary>
    public static async Task<IReadOnlyList<string>> SeriousViolationsAsync(IPage page)
    {
        ArgumentNullException.ThrowIfNull(page);
        if (!await page.EvaluateAsync<bool>("() => typeof window.axe !== 'undefined'"))
        {
            await page.AddScriptTagAsync(new PageAddScriptTagOptions { Content = Script.Value });
        }

        var json = await page.EvaluateAsync<string>(
            """
            async () => {
              const result = await window.axe.run(document, { resultTypes: ['violations'] });
              return JSON.stringify(result.violations
                .filter(v => v.impact === 'serious' || v.impact === 'critical')
                .map(v => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.slice(0, 5).map(n => n.target.join(' ')).join(' | ')}`));
            }
            """);
        return JsonSerializer.Deserialize<string[]>(json) ?? [];
    }

    /// <summary>How far the page reaches past the window's right edge, in CSS pixels (0 when it does not scroll sideways).</summary>
    public static Task<int> SidewaysOverflowAsync(IPage page) =>
        page.EvaluateAsync<int>("() => Math.max(0, document.scrollingElement.scrollWidth - window.innerWidth)");

    private static string Load()
    {
        var path = Path.Combine(Repository.Root, "tools", "npm", "node_modules", "axe-core", "axe.min.js");
        return File.Exists(path)
            ? File.ReadAllText(path)
            : throw new FileNotFoundException($"axe-core is not installed: run `npm ci --prefix {Path.GetDirectoryName(Path.GetDirectoryName(Path.GetDirectoryName(path)))}` (./vpnlens test does).", path);
    }
}
