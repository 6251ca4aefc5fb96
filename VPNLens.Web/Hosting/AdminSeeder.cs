using System.Security.Cryptography;
using Microsoft.AspNetCore.Identity;
using VPNLens.Web.Api;

namespace VPNLens.Web.Hosting;

/// <summary>Creates the first admin when there is no user yet, and prints its password once.</summary>
public sealed class AdminSeeder(UserManager<IdentityUser> users, RoleManager<IdentityRole> roles, IConfiguration configuration, ILogger<AdminSeeder> logger)
{
    public async Task SeedAsync()
    {
        if (!await roles.RoleExistsAsync(Authorization.AdminRole))
        {
            await roles.CreateAsync(new IdentityRole(Authorization.AdminRole));
        }

        if (users.Users.Any())
        {
            return;
        }

        var email = configuration["Admin:Email"] ?? "admin@vpnlens.local";
        var configured = configuration["Admin:Password"];
        var password = string.IsNullOrEmpty(configured) ? Generate() : configured;
        var admin = new IdentityUser { UserName = email, Email = email, EmailConfirmed = true };
        var created = await users.CreateAsync(admin, password);
        if (!created.Succeeded)
        {
            throw new InvalidOperationException($"Could not create the first admin {email}: {string.Join(" ", created.Errors.Select(e => e.Description))}");
        }

        await users.AddToRoleAsync(admin, Authorization.AdminRole);
        if (string.IsNullOrEmpty(configured))
        {
            // Shown once, on the console of the first start; it is not stored anywhere in clear.
            Console.WriteLine($"VPNLens first admin: {email} / {password}");
        }

        logger.LogInformation("Created the first admin {Email}", email);
    }

    private static string Generate() =>
        Convert.ToBase64String(RandomNumberGenerator.GetBytes(18)).Replace('+', 'x').Replace('/', 'y') + "!7a";
}
