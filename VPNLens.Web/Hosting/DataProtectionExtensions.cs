using Microsoft.AspNetCore.DataProtection;

namespace VPNLens.Web.Hosting;

public static class DataProtectionExtensions
{
    /// <summary>Keeps the keys that sign cookies on the data volume, so sign-ins survive a restart or a new container.</summary>
    public static IServiceCollection AddPersistentDataProtection(this IServiceCollection services, IConfiguration configuration)
    {
        var path = configuration["DataProtection:KeysPath"] ?? Path.Combine("data", "keys");
        services.AddDataProtection()
            .SetApplicationName("VPNLens")
            .PersistKeysToFileSystem(Directory.CreateDirectory(path));
        return services;
    }
}
