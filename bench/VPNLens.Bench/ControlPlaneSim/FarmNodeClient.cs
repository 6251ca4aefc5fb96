using System.Net;
using System.Net.Http.Json;
using VPNLens.Core.Nodes;
using VPNLens.Core.Runs;
using VPNLens.Web.Nodes;

namespace VPNLens.Bench.ControlPlaneSim;

/// <summary>
/// The node client of a simulation instance: where the app would start run.sh over SSH, it hands the run's parameters
/// to the simulated nodes (the cp-sim process's <see cref="NodeFarm"/>), which post the callbacks as run.sh would.
/// The nodes are healthy: a stop is acknowledged, a probe finds every tool, a finished run's results can be fetched.
/// </summary>
internal sealed class FarmNodeClient(Uri farm) : IRemoteNodeClient, IDisposable
{
    private static readonly string[] Tools = ["bash", "curl", "jq", "openssl", "iperf3", "ping", "ip", "wg", "wg-quick", "tailscale", "tailscaled", "nebula", "openvpn", "charon-systemd", "swanctl"];

    private readonly HttpClient http = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
    {
        BaseAddress = farm,
        Timeout = TimeSpan.FromSeconds(30),
    };

    public async Task<int> StartRunAsync(Node node, RunParameters parameters, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(node);
        ArgumentNullException.ThrowIfNull(parameters);
        using var response = await http.PostAsJsonAsync("start", new FarmStart(node.Id, parameters.RunId, parameters.Secret, parameters.Protocols), cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new RemoteNodeException($"the simulated node {node.Name} refused the start: {(int)response.StatusCode}");
        }

        return await response.Content.ReadFromJsonAsync<int>(cancellationToken);
    }

    public async Task StopRunAsync(Node node, Guid runId, int? pid, CancellationToken cancellationToken)
    {
        using var response = await http.PostAsync(new Uri($"stop/{runId}", UriKind.Relative), null, cancellationToken);
    }

    public async Task<byte[]?> FetchResultsAsync(Node node, Guid runId, CancellationToken cancellationToken)
    {
        using var response = await http.GetAsync(new Uri($"results/{runId}", UriKind.Relative), cancellationToken);
        return response.StatusCode == HttpStatusCode.OK ? await response.Content.ReadAsByteArrayAsync(cancellationToken) : null;
    }

    public Task<NodeProbe> ProbeAsync(Node node, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(node);
        var tools = Tools.ToDictionary(t => t, t => (string?)$"/usr/bin/{t}");
        return Task.FromResult(new NodeProbe(true, null, node.HostKeyFingerprint, tools));
    }

    public void Dispose() => http.Dispose();
}

/// <summary>What the instance hands a simulated node: the run as params.json names it.</summary>
internal sealed record FarmStart(Guid NodeId, Guid RunId, string Secret, IReadOnlyList<string> Protocols);
