using MudBlazor;

namespace VPNLens.Web.Components.Layout;

/// <summary>One theme for every page: a calm indigo, system fonts (no font CDN: the control plane may have no internet).</summary>
public static class VpnLensTheme
{
    public static MudTheme Theme { get; } = new()
    {
        PaletteLight = new PaletteLight
        {
            Primary = "#3949ab",
            Secondary = "#00897b",
            AppbarBackground = "#283593",
            Background = "#f5f6fa",

            // Darker than MudBlazor's defaults: each holds 4.5:1 with white text on a chip and as text on white.
            Info = "#1565c0",
            Success = "#2e7d32",
            Warning = "#a84d00",
            Error = "#c62828",
            TextSecondary = "rgba(0,0,0,0.68)",
        },
        Typography = new Typography
        {
            Default = new DefaultTypography
            {
                FontFamily = ["system-ui", "-apple-system", "Segoe UI", "Roboto", "Helvetica", "Arial", "sans-serif"],
            },
        },
    };
}
