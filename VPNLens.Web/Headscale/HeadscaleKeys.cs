using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Options;

namespace VPNLens.Web.Headscale;

public sealed class HeadscaleOptions
{
    public const string Section = "Headscale";

    /// <summary>Headscale's URL, e.g. https://hs.example.com, for its API.</summary>
    public Uri? Url { get; set; }

    /// <summary>An API key from `headscale apikeys create`; a secret.</summary>
    public string? ApiKey { get; set; }

    /// <summary>The Headscale user the benchmark nodes join as: its name or numeric id (Headscale 0.26+ keys take the id).</summary>
    public string User { get; set; } = "vpnlens";

    /// <summary>A reusable pre-auth key made by hand (`headscale preauthkeys create --reusable`); used instead of the API when set.</summary>
    public string? PreAuthKey { get; set; }
}

/// <summary>Hands a node the reusable pre-auth key that lets `tailscale up` join headlessly.</summary>
public interface IHeadscaleKeys
{
    Task<string> PreAuthKeyAsync(CancellationToken cancellationToken);
}

public sealed class HeadscaleUnavailableException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// Uses the configured key, or creates a reusable key through Headscale's API and keeps it in memory (never in the
/// database). The key is renewed <see cref="RenewBefore"/> its expiry, and whenever Headscale no longer lists it as
/// valid (expired or deleted by an admin): it is checked each time a run asks for it.
/// </summary>
public sealed class HeadscaleKeys(IHttpClientFactory httpFactory, IOptions<HeadscaleOptions> options, TimeProvider time) : IHeadscaleKeys, IDisposable
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromDays(90);

    public static readonly TimeSpan RenewBefore = TimeSpan.FromDays(7);

    private readonly SemaphoreSlim gate = new(1, 1);
    private CreatedKey? created;

    public async Task<string> PreAuthKeyAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        if (!string.IsNullOrWhiteSpace(settings.PreAuthKey))
        {
            return settings.PreAuthKey;
        }

        if (settings.Url is null || string.IsNullOrWhiteSpace(settings.ApiKey))
        {
            throw new HeadscaleUnavailableException("Tailscale needs Headscale: set Headscale__PreAuthKey, or Headscale__Url and Headscale__ApiKey so VPNLens can create a reusable pre-auth key.");
        }

        await gate.WaitAsync(cancellationToken);
        try
        {
            using var http = httpFactory.CreateClient(nameof(HeadscaleKeys));
            try
            {
                if (created is null || time.GetUtcNow() >= created.ExpiresAt - RenewBefore || !await StillValidAsync(http, settings, created, cancellationToken))
                {
                    created = await CreateAsync(http, settings, cancellationToken);
                }

                return created.Key;
            }
            catch (HttpRequestException ex)
            {
                throw new HeadscaleUnavailableException($"Cannot reach Headscale at {settings.Url}: {ex.Message}", ex);
            }
        }
        finally
        {
            gate.Release();
        }
    }

    public void Dispose() => gate.Dispose();

    private async Task<CreatedKey> CreateAsync(HttpClient http, HeadscaleOptions settings, CancellationToken cancellationToken)
    {
        var userId = ulong.TryParse(settings.User, out _) ? settings.User : await UserIdAsync(http, settings, cancellationToken);
        var expiresAt = time.GetUtcNow() + Lifetime;
        using var request = Authorized(HttpMethod.Post, new Uri(settings.Url!, "api/v1/preauthkey"), settings);
        request.Content = JsonContent.Create(new
        {
            user = userId,
            reusable = true,
            ephemeral = true,
            expiration = expiresAt,
            aclTags = Array.Empty<string>(),
        });
        using var response = await http.SendAsync(request, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new HeadscaleUnavailableException($"Headscale refused to create a pre-auth key: HTTP {(int)response.StatusCode}.");
        }

        var body = await response.Content.ReadFromJsonAsync<CreatePreAuthKeyResponse>(cancellationToken);
        return body?.PreAuthKey?.Key is { Length: > 0 } key
            ? new CreatedKey(key, body.PreAuthKey.Id, userId, expiresAt)
            : throw new HeadscaleUnavailableException("Headscale answered without a pre-auth key.");
    }

    /// <summary>Whether Headscale still lists the key as unexpired (an admin may have expired or deleted it).</summary>
    private async Task<bool> StillValidAsync(HttpClient http, HeadscaleOptions settings, CreatedKey key, CancellationToken cancellationToken)
    {
        using var request = Authorized(HttpMethod.Get, new Uri(settings.Url!, $"api/v1/preauthkey?user={Uri.EscapeDataString(key.UserId)}"), settings);
        using var response = await http.SendAsync(request, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new HeadscaleUnavailableException($"Headscale refused to list pre-auth keys: HTTP {(int)response.StatusCode}.");
        }

        var body = await response.Content.ReadFromJsonAsync<ListPreAuthKeysResponse>(cancellationToken);
        var listed = body?.PreAuthKeys?.FirstOrDefault(k => key.Id is not null ? k.Id == key.Id : k.Key == key.Key);
        return listed is not null && (listed.Expiration is null || listed.Expiration > time.GetUtcNow());
    }

    private static async Task<string> UserIdAsync(HttpClient http, HeadscaleOptions settings, CancellationToken cancellationToken)
    {
        using var request = Authorized(HttpMethod.Get, new Uri(settings.Url!, $"api/v1/user?name={Uri.EscapeDataString(settings.User)}"), settings);
        using var response = await http.SendAsync(request, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new HeadscaleUnavailableException($"Headscale refused to list users: HTTP {(int)response.StatusCode}.");
        }

        var body = await response.Content.ReadFromJsonAsync<ListUsersResponse>(cancellationToken);
        return body?.Users?.FirstOrDefault(u => u.Name == settings.User)?.Id
            ?? throw new HeadscaleUnavailableException($"Headscale has no user named {settings.User}: create it with `headscale users create {settings.User}`.");
    }

    private static HttpRequestMessage Authorized(HttpMethod method, Uri uri, HeadscaleOptions settings)
    {
        var request = new HttpRequestMessage(method, uri);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", settings.ApiKey);
        return request;
    }

    private sealed record CreatedKey(string Key, string? Id, string UserId, DateTimeOffset ExpiresAt);

    private sealed record ListUsersResponse([property: JsonPropertyName("users")] IReadOnlyList<UserBody>? Users);

    private sealed record UserBody([property: JsonPropertyName("id")] string? Id, [property: JsonPropertyName("name")] string? Name);

    private sealed record CreatePreAuthKeyResponse([property: JsonPropertyName("preAuthKey")] PreAuthKeyBody? PreAuthKey);

    private sealed record ListPreAuthKeysResponse([property: JsonPropertyName("preAuthKeys")] IReadOnlyList<PreAuthKeyBody>? PreAuthKeys);

    private sealed record PreAuthKeyBody(
        [property: JsonPropertyName("id")] string? Id,
        [property: JsonPropertyName("key")] string? Key,
        [property: JsonPropertyName("expiration")] DateTimeOffset? Expiration);
}
