using MudBlazor.Services;
using VPNLens.Web.Account;
using VPNLens.Web.Api;
using VPNLens.Web.Components;
using VPNLens.Web.Components.Layout;
using VPNLens.Web.Figures;
using VPNLens.Web.Permalinks;
using VPNLens.Web.Runs;

namespace VPNLens.Web.Hosting;

public static class DashboardExtensions
{
    /// <summary>The Blazor dashboard (interactive server, MudBlazor) and what its pages read.</summary>
    public static IServiceCollection AddDashboard(this IServiceCollection services)
    {
        services.AddRazorComponents().AddInteractiveServerComponents();
        services.AddMudServices();
        services.AddOutputCache(options =>
        {
            // A finished permalink page is ~55 KB: this budget holds ~2,400 of them, a hot set far larger than a
            // team shares at once; past it, new pages are rendered for each visit until the cache compacts.
            options.SizeLimit = 128L * 1024 * 1024;
            // A live one is kept for a moment: under many readers one render serves a second's worth of them, and each
            // of its run's events evicts it anyway.
            options.AddPolicy(SharedRunPages.CachePolicy, new SharedRunPagePolicy());
        });
        services.AddSingleton<LiveRunPages>();
        services.AddHostedService(sp => sp.GetRequiredService<LiveRunPages>());
        services.AddSingleton<ThemeStylesheet>();
        services.AddSingleton<ShowOffsets>();
        services.AddSingleton<RunSnapshots>();
        services.AddSingleton<Nodes.NodeCatalog>();
        services.AddSingleton<Nodes.NodeRemoval>();
        return services;
    }

    /// <summary>Permalink pages from the output cache for signed-out visitors, made the same for every visitor first.</summary>
    public static IApplicationBuilder UseSharedRunPageCache(this IApplicationBuilder app) =>
        app.UseOutputCache().UseMiddleware<SharedPageMiddleware>();

    /// <summary>Sign-in and sign-out, the permalink downloads, static assets and the pages.</summary>
    public static IEndpointRouteBuilder MapDashboard(this IEndpointRouteBuilder app)
    {
        app.MapAccountEndpoints();
        app.MapResultsDownloads();
        app.MapLiveRunEvents();
        app.MapStaticAssets();
        app.MapThemeStylesheet();
        // No permessage-deflate on the circuits' WebSockets: each compressed socket holds ~300 KB of zlib state
        // (100 open tabs: ~35 MB) to shrink render batches that are a few hundred bytes.
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode(o => o.DisableWebSocketCompression = true).CacheOutput(SharedRunPages.CachePolicy);
        return app;
    }

    /// <summary>Phase and state pushes over SignalR for clients that are not the dashboard.</summary>
    public static IServiceCollection AddLiveRunUpdates(this IServiceCollection services)
    {
        services.AddSignalR();
        services.AddHostedService<RunHubBridge>();
        return services;
    }

    public static IEndpointRouteBuilder MapLiveRunUpdates(this IEndpointRouteBuilder app)
    {
        app.MapHub<RunHub>(RunHub.Path).RequireAuthorization(Authorization.ApiPolicy);
        return app;
    }
}
