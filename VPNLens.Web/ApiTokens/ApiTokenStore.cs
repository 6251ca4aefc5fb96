using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using VPNLens.Web.Persistence;

namespace VPNLens.Web.ApiTokens;

public sealed record CreatedApiToken(ApiToken Token, string Secret);

/// <summary>Creates, lists, revokes and recognises API tokens; the admin page and the authentication handler share it.</summary>
public sealed class ApiTokenStore(IDbContextFactory<AppDbContext> dbFactory, TimeProvider time)
{
    public const string TokenPrefix = "vlt_";

    public static string HashOf(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    public async Task<CreatedApiToken> CreateAsync(string name, ApiTokenScope scope, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        var secret = TokenPrefix + Base64Url(RandomNumberGenerator.GetBytes(32));
        var token = new ApiToken
        {
            Name = name.Trim(),
            Scope = scope,
            Hash = HashOf(secret),
            Prefix = secret[..(TokenPrefix.Length + 6)],
            CreatedAt = time.GetUtcNow(),
        };
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        db.ApiTokens.Add(token);
        await db.SaveChangesAsync(cancellationToken);
        return new CreatedApiToken(token, secret);
    }

    public async Task<List<ApiToken>> ListAsync(CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var tokens = await db.ApiTokens.AsNoTracking().ToListAsync(cancellationToken);
        return [.. tokens.OrderBy(t => t.RevokedAt is not null).ThenByDescending(t => t.CreatedAt)];
    }

    /// <returns>False when there is no such token or it was already revoked.</returns>
    public async Task<bool> RevokeAsync(Guid id, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.ApiTokens.Where(t => t.Id == id && t.RevokedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.RevokedAt, now), cancellationToken) == 1;
    }

    /// <summary>The unrevoked token the caller presented, looked up by its hash.</summary>
    public async Task<ApiToken?> FindActiveAsync(string presented, CancellationToken cancellationToken)
    {
        if (!presented.StartsWith(TokenPrefix, StringComparison.Ordinal))
        {
            return null;
        }

        var hash = HashOf(presented);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.ApiTokens.AsNoTracking().FirstOrDefaultAsync(t => t.Hash == hash && t.RevokedAt == null, cancellationToken);
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
