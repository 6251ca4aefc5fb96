using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;

namespace VPNLens.Web.Persistence;

/// <summary>
/// Carries the <see cref="SecretsAtRest"/> to <see cref="AppDbContext"/> in its options, so the context's only
/// constructor argument is its options and its factory can pool it. It adds no EF services: every
/// <see cref="SecretsAtRest"/> shares EF's internal service provider, and <see cref="SecretsModelCacheKeyFactory"/>
/// keeps one model per instance.
/// </summary>
internal sealed class SecretsAtRestOptionsExtension(SecretsAtRest secrets) : IDbContextOptionsExtension
{
    private DbContextOptionsExtensionInfo? info;

    public SecretsAtRest Secrets { get; } = secrets;

    public DbContextOptionsExtensionInfo Info => info ??= new ExtensionInfo(this);

    public void ApplyServices(IServiceCollection services)
    {
    }

    public void Validate(IDbContextOptions options)
    {
    }

    private sealed class ExtensionInfo(IDbContextOptionsExtension extension) : DbContextOptionsExtensionInfo(extension)
    {
        public override bool IsDatabaseProvider => false;

        public override string LogFragment => string.Empty;

        public override int GetServiceProviderHashCode() => 0;

        public override bool ShouldUseSameServiceProvider(DbContextOptionsExtensionInfo other) => other is ExtensionInfo;

        public override void PopulateDebugInfo(IDictionary<string, string> debugInfo)
        {
        }
    }
}

public static class SecretsAtRestOptions
{
    /// <summary>The key ring <see cref="AppDbContext"/> protects its secret columns with.</summary>
    public static DbContextOptionsBuilder UseSecretsAtRest(this DbContextOptionsBuilder builder, SecretsAtRest secrets)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(secrets);
        ((IDbContextOptionsBuilderInfrastructure)builder).AddOrUpdateExtension(new SecretsAtRestOptionsExtension(secrets));
        return builder;
    }

    /// <inheritdoc cref="UseSecretsAtRest(DbContextOptionsBuilder, SecretsAtRest)"/>
    public static DbContextOptionsBuilder<TContext> UseSecretsAtRest<TContext>(this DbContextOptionsBuilder<TContext> builder, SecretsAtRest secrets)
        where TContext : DbContext =>
        (DbContextOptionsBuilder<TContext>)UseSecretsAtRest((DbContextOptionsBuilder)builder, secrets);
}
