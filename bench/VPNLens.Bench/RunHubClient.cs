using System.Diagnostics;
using System.Net.WebSockets;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;

namespace VPNLens.Bench;

/// <summary>
/// A client of the app's run hub (/hubs/runs): JoinRun(runId), then "phase" messages for that run.
/// Each message is handed over with the Stopwatch timestamp it arrived at.
/// </summary>
internal sealed class RunHubClient : IAsyncDisposable
{
    public const string Path = "hubs/runs";

    private readonly HubConnection connection;

    private RunHubClient(HubConnection connection) => this.connection = connection;

    public event Action<long, JsonElement>? Phase;

    /// <summary>Connects, or returns null with the reason when the app has no such hub.</summary>
    public static async Task<(RunHubClient? Client, string? Problem)> TryConnectAsync(Uri baseUri, string apiToken, CancellationToken cancellationToken)
    {
        var connection = new HubConnectionBuilder()
            .WithUrl(new Uri(baseUri, Path), options =>
            {
                options.Transports = HttpTransportType.WebSockets;
                options.Headers["Authorization"] = $"Bearer {apiToken}";
            })
            .Build();
        var client = new RunHubClient(connection);
        connection.On<JsonElement>("phase", phase => client.Phase?.Invoke(Stopwatch.GetTimestamp(), phase));
        try
        {
            await connection.StartAsync(cancellationToken);
            return (client, null);
        }
        catch (Exception ex) when (ex is HttpRequestException or WebSocketException or InvalidOperationException or IOException)
        {
            await connection.DisposeAsync();
            return (null, $"no SignalR hub at /{Path}: {ex.Message}");
        }
    }

    public Task JoinAsync(Guid runId, CancellationToken cancellationToken) => connection.InvokeAsync("JoinRun", runId, cancellationToken);

    public async ValueTask DisposeAsync() => await connection.DisposeAsync();
}
