using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace VPNLens.Bench;

/// <summary>The app's REST API with the bearer token.</summary>
internal static class ApiClient
{
    public static HttpClient Create(Uri baseUri, string? apiToken)
    {
        var http = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
        {
            BaseAddress = baseUri,
            Timeout = TimeSpan.FromSeconds(30),
        };
        if (!string.IsNullOrEmpty(apiToken))
        {
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiToken);
        }

        return http;
    }

    public static async Task<JsonElement> GetRunAsync(HttpClient http, Guid runId, CancellationToken cancellationToken)
    {
        using var response = await http.GetAsync(new Uri($"api/runs/{runId}", UriKind.Relative), cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new BenchException($"GET /api/runs/{runId} answered {(int)response.StatusCode}");
        }

        return await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken);
    }
}
