using System.Net;
using Microsoft.AspNetCore.HttpOverrides;

namespace VPNLens.Web.Hosting;

public static class ProxyExtensions
{
    /// <summary>
    /// Trusts X-Forwarded-* only from the proxies listed in ForwardedHeaders:KnownProxies (Caddy), so a request
    /// through the proxy carries the client's address, not a local one that local-only checks would admit.
    /// </summary>
    public static IServiceCollection AddKnownProxies(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<ForwardedHeadersOptions>(options =>
        {
            options.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto | ForwardedHeaders.XForwardedHost;
            options.KnownProxies.Clear();
            options.KnownIPNetworks.Clear();
            foreach (var proxy in configuration.GetSection("ForwardedHeaders:KnownProxies").Get<string[]>() ?? [])
            {
                options.KnownProxies.Add(IPAddress.Parse(proxy));
            }
        });
        return services;
    }
}
