namespace VPNLens.Web.ApiTokens;

/// <summary>What an API token may do.</summary>
public enum ApiTokenScope
{
    /// <summary>Queue, read and cancel runs.</summary>
    Runs,

    /// <summary>Everything the API offers, nodes included (not the Hangfire dashboard, which takes a signed-in admin).</summary>
    Admin,

    /// <summary>Read /metrics only: what a Prometheus server is given.</summary>
    Metrics,
}

/// <summary>A bearer token for automation. Only its SHA-256 is stored; the token itself is shown once, when it is created.</summary>
public sealed class ApiToken
{
    public Guid Id { get; set; } = Guid.NewGuid();

    public required string Name { get; set; }

    public ApiTokenScope Scope { get; set; }

    /// <summary>Hex SHA-256 of the token's UTF-8 bytes: a token has 256 random bits, so no salt or slow hash is needed.</summary>
    public required string Hash { get; set; }

    /// <summary>The token's first characters, to tell tokens apart in the list.</summary>
    public required string Prefix { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset? RevokedAt { get; set; }
}
