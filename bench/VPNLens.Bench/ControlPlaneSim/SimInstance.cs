using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using VPNLens.Web.Nodes;

namespace VPNLens.Bench.ControlPlaneSim;

/// <summary>
/// One app instance of the simulation: the real app (Program, its Kestrel on a loopback port, its Hangfire and its
/// database), with only the node client replaced by <see cref="FarmNodeClient"/>, which hands every run to the
/// simulated nodes of the cp-sim process. Runs until the process is stopped.
/// </summary>
internal static class SimInstance
{
    public static async Task<object> RunAsync(Options options, CancellationToken cancellationToken)
    {
        var port = options.Int("port", 0);
        var farm = new Uri(options.Required("farm"));
        var settings = new Dictionary<string, string?>
        {
            ["Database:Provider"] = options.Required("provider"),
            ["ConnectionStrings:App"] = options.Required("connection-string"),
            ["ConnectionStrings:Hangfire"] = options.Text("hangfire", string.Empty),
            ["DataProtection:KeysPath"] = options.Required("keys"),
            ["Api:Token"] = options.Required("api-token"),
            ["Admin:Email"] = "admin@vpnlens.bench",
            ["Admin:Password"] = options.Required("admin-password"),
            ["App:PublicUrl"] = $"http://127.0.0.1:{port}/",
            ["Callbacks:BaseUrl"] = $"http://127.0.0.1:{port}/",
            ["Logging:LogLevel:Default"] = "Warning",
            // one line per dispatch round: where its time went (evidence beside the figures),
            ["Logging:LogLevel:VPNLens.Web.Runs.RunDispatcher"] = "Debug",
            // and one per started chunk: how long it waited for a turn to start, and its starts
            ["Logging:LogLevel:VPNLens.Web.Runs.BenchmarkJob"] = "Debug",
        };
        var endpoints = options.Int("endpoints", 0);
        for (var i = 0; i < endpoints; i++)
        {
            settings[$"Endpoints:Names:{i}"] = SimNames.Endpoint(i);
        }

        await using var app = new SimulatedApp(settings, port, farm);
        app.StartServer();
        await Console.Error.WriteLineAsync($"sim-instance: listening on 127.0.0.1:{port}");
        try
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            // stopped by the cp-sim process
        }

        return new { port, stopped = true };
    }

    private sealed class SimulatedApp : WebApplicationFactory<Program>
    {
        private readonly Dictionary<string, string?> settings;
        private readonly Uri farm;

        public SimulatedApp(Dictionary<string, string?> settings, int port, Uri farm)
        {
            this.settings = settings;
            this.farm = farm;
            // A published tool has no solution around it to find the app's content root in; its own folder serves.
            Environment.SetEnvironmentVariable("ASPNETCORE_TEST_CONTENTROOT_VPNLENS_WEB", AppContext.BaseDirectory);
            UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, port));
        }

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            foreach (var (key, value) in settings)
            {
                if (!string.IsNullOrEmpty(value))
                {
                    builder.UseSetting(key, value);
                }
            }

            builder.ConfigureTestServices(services => services.Replace(ServiceDescriptor.Singleton<IRemoteNodeClient>(new FarmNodeClient(farm))));
        }
    }
}

/// <summary>The names the simulation gives its nodes' VPN endpoints: one per node, so their leases are disjoint.</summary>
internal static class SimNames
{
    public static string Endpoint(int i) => $"sim-endpoint-{i:D5}";
}
