// Usage: dotnet VPNLens.HealthCheck.dll [url] (default http://127.0.0.1:8080/healthz).
// Exit 0 when the URL answers 2xx within 5 seconds, 1 otherwise, with the reason on stderr
// (Docker keeps the last outputs: docker inspect --format '{{json .State.Health}}' <container>).
var url = new Uri(args.Length > 0 ? args[0] : "http://127.0.0.1:8080/healthz");
using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
try
{
    using var response = await http.GetAsync(url);
    if (response.IsSuccessStatusCode)
    {
        return 0;
    }

    var body = await response.Content.ReadAsStringAsync();
    await Console.Error.WriteLineAsync($"{url} answered HTTP {(int)response.StatusCode}: {body[..Math.Min(body.Length, 1000)]}");
    return 1;
}
catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
{
    await Console.Error.WriteLineAsync($"{url} unreachable: {ex.Message}");
    return 1;
}
