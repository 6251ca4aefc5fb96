using Microsoft.Extensions.Configuration;
using VPNLens.Tests.Infrastructure;
using VPNLens.Web.Persistence;

namespace VPNLens.Tests.Web.Persistence;

[Collection(AppCollection.Name)]
public sealed class DatabaseProviderTests
{
    [Theory]
    [InlineData(null, DatabaseProvider.Sqlite)]
    [InlineData("Sqlite", DatabaseProvider.Sqlite)]
    [InlineData("postgres", DatabaseProvider.Postgres)]
    public void A_known_provider_name_is_read_in_any_case(string? name, DatabaseProvider expected)
    {
        var options = DatabaseOptions.From(Configuration(("Database:Provider", name), ("ConnectionStrings:App", "Host=db;Database=vpnlens")));

        Assert.Equal(expected, options.Provider);
    }

    [Theory]
    [InlineData("Oracle")]
    [InlineData("1")]
    public void An_unknown_provider_name_is_refused_naming_the_setting(string name)
    {
        var refused = Assert.Throws<InvalidOperationException>(() => DatabaseOptions.From(Configuration(("Database:Provider", name))));

        Assert.Contains("Database:Provider", refused.Message, StringComparison.Ordinal);
        Assert.Contains("Sqlite, Postgres", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Postgres_without_a_connection_string_is_refused_naming_it()
    {
        var refused = Assert.Throws<InvalidOperationException>(() => DatabaseOptions.From(Configuration(("Database:Provider", "Postgres"))));

        Assert.Contains("ConnectionStrings:App", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_app_does_not_start_with_an_unknown_provider()
    {
        await using var app = new VpnLensApp(new Dictionary<string, string?> { ["Database:Provider"] = "Mongo" }, provider: DatabaseProvider.Sqlite);

        var refused = Assert.ThrowsAny<Exception>(() => app.CreateClient());

        Assert.Contains("Database:Provider is 'Mongo'", Flatten(refused), StringComparison.Ordinal);
    }

    private static string Flatten(Exception exception) => exception.InnerException is null ? exception.Message : $"{exception.Message} {Flatten(exception.InnerException)}";

    private static IConfiguration Configuration(params (string Key, string? Value)[] settings) =>
        new ConfigurationBuilder().AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value))).Build();
}
