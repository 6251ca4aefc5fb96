using Microsoft.AspNetCore.Identity;
using VPNLens.Web.Api;
using VPNLens.Web.Persistence;

namespace VPNLens.Web.Hosting;

public static class IdentityExtensions
{
    public static IServiceCollection AddVpnLensIdentity(this IServiceCollection services)
    {
        services.AddVpnLensAuthorization();
        services.AddAuthentication().AddIdentityCookies();
        services.ConfigureApplicationCookie(options =>
        {
            options.LoginPath = "/account/login";
            options.AccessDeniedPath = "/account/denied";
            options.Cookie.Name = "vpnlens.auth";
            options.Cookie.HttpOnly = true;
            options.Cookie.SameSite = SameSiteMode.Lax;
            options.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            options.Events.OnRedirectToLogin = context => RejectApiCalls(context, StatusCodes.Status401Unauthorized);
            options.Events.OnRedirectToAccessDenied = context => RejectApiCalls(context, StatusCodes.Status403Forbidden);
        });
        services.AddIdentityCore<IdentityUser>(options =>
            {
                options.Password.RequiredLength = 12;
                options.User.RequireUniqueEmail = true;
                options.Lockout.MaxFailedAccessAttempts = 10;
            })
            .AddRoles<IdentityRole>()
            .AddEntityFrameworkStores<AppDbContext>()
            .AddSignInManager()
            .AddDefaultTokenProviders();
        services.AddCascadingAuthenticationState();
        services.AddScoped<AdminSeeder>();
        return services;
    }

    // API clients get a status code, not an HTML login page; a person opening the job dashboard in a browser is sent to sign in.
    private static Task RejectApiCalls(Microsoft.AspNetCore.Authentication.RedirectContext<Microsoft.AspNetCore.Authentication.Cookies.CookieAuthenticationOptions> context, int status)
    {
        var jobsDashboardForPerson = context.Request.Path.StartsWithSegments("/hangfire") && StatusCodePagesExtensions.IsBrowserPageRequest(context.HttpContext);
        if (context.Request.Path.StartsWithSegments("/api") || context.Request.Path.StartsWithSegments("/hubs") || (context.Request.Path.StartsWithSegments("/hangfire") && !jobsDashboardForPerson))
        {
            context.Response.StatusCode = status;
            return Task.CompletedTask;
        }

        context.Response.Redirect(context.RedirectUri);
        return Task.CompletedTask;
    }
}
