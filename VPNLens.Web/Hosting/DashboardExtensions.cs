using MudBlazor.Services;
using VPNLens.Web.Account;
using VPNLens.Web.Api;
using VPNLens.Web.Components;
using VPNLens.Web.Figures;
using VPNLens.Web.Runs;

namespace VPNLens.Web.Hosting;

public static class DashboardExtensions
{
    /// <summary>The Blazor dashboard (interactive server, MudBlazor) and what its pages read.</summary>
    public static IServiceCollection AddDashboard(this IServiceCollection services)
    {
        services.AddRazorComponents().AddInteractiveServerComponents();
        services.AddMudServices();
        services.AddSingleton<RunSnapshots>();
        services.AddSingleton<Nodes.NodeCatalog>();
        return services;
    }

    /// <summary>Sign-in and sign-out, the permalink downloads, static assets and the pages.</summary>
    public static IEndpointRouteBuilder MapDashboard(this IEndpointRouteBuilder app)
    {
        app.MapAccountEndpoints();
        app.MapResultsDownloads();
        app.MapStaticAssets();
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode();
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
