using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;

namespace VPNLens.Tests.Infrastructure;

/// <summary>Signs in through the real sign-in page, the way a browser does: GET the form, POST it back with its antiforgery token.</summary>
public static partial class SignIn
{
    public const string AdminEmail = "admin@vpnlens.test";
    public const string AdminPassword = "Admin-Password-1234";
    public const string UserEmail = "viewer@vpnlens.test";
    public const string UserPassword = "Viewer-Password-1234";

    /// <summary>A client that keeps cookies and shows redirects instead of following them.</summary>
    public static HttpClient CookieClient(Uri baseAddress) =>
        new(new HttpClientHandler { CookieContainer = new CookieContainer(), UseCookies = true, AllowAutoRedirect = false }) { BaseAddress = baseAddress };

    /// <returns>The response to the form POST (a redirect when the sign-in worked).</returns>
    public static async Task<HttpResponseMessage> PostLoginAsync(HttpClient client, string email, string password, string? returnUrl = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        var path = "/account/login" + (returnUrl is null ? string.Empty : "?ReturnUrl=" + Uri.EscapeDataString(returnUrl));
        var page = await client.GetStringAsync(new Uri(path, UriKind.Relative), TestContext.Current.CancellationToken);
        using var form = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = AntiforgeryToken(page),
            ["_handler"] = "login",
            ["Input.Email"] = email,
            ["Input.Password"] = password,
        });
        return await client.PostAsync(new Uri(path, UriKind.Relative), form, TestContext.Current.CancellationToken);
    }

    public static async Task SignInAsync(HttpClient client, string email, string password)
    {
        using var response = await PostLoginAsync(client, email, password);
        Assert.True(response.StatusCode == HttpStatusCode.Found, $"Signing in as {email} answered {(int)response.StatusCode}, not a redirect.");
    }

    /// <summary>Creates a signed-up user who is not an admin.</summary>
    public static async Task CreateUserAsync(IServiceProvider services, string email = UserEmail, string password = UserPassword)
    {
        await using var scope = services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<IdentityUser>>();
        var created = await users.CreateAsync(new IdentityUser { UserName = email, Email = email, EmailConfirmed = true }, password);
        Assert.True(created.Succeeded, string.Join(" ", created.Errors.Select(e => e.Description)));
    }

    public static string AntiforgeryToken(string html) =>
        TokenPattern().Match(html) is { Success: true } match ? WebUtility.HtmlDecode(match.Groups[1].Value) : throw new InvalidOperationException("No antiforgery token in the page.");

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex TokenPattern();
}
