using Microsoft.Extensions.Options;
using VPNLens.Web.Api;
using VPNLens.Web.Email;
using VPNLens.Web.Headscale;
using VPNLens.Web.Nodes;
using VPNLens.Web.Runs;

namespace VPNLens.Web.Hosting;

public static class OptionsExtensions
{
    /// <summary>Binds every settings section and checks it at start, so a wrong setting stops the app with a clear message.</summary>
    public static IServiceCollection AddVpnLensOptions(this IServiceCollection services)
    {
        services.AddOptions<ApiOptions>().BindConfiguration(ApiOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<AppOptions>().BindConfiguration(AppOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<CallbackOptions>().BindConfiguration(CallbackOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<RunOptions>().BindConfiguration(RunOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<IValidateOptions<RunOptions>, RunSettingsOptionsValidation>();
        services.AddOptions<Retention.RetentionOptions>().BindConfiguration(Retention.RetentionOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<SshOptions>().BindConfiguration(SshOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<SmtpOptions>().BindConfiguration(SmtpOptions.Section)
            .Validate(o => string.IsNullOrWhiteSpace(o.Host) || o.Port is > 0 and < 65536, "Smtp:Port must be between 1 and 65535.")
            .Validate(o => string.IsNullOrWhiteSpace(o.Host) || MimeKit.MailboxAddress.TryParse(o.From, out _), "Smtp:From must be an email address.")
            .ValidateOnStart();
        services.AddOptions<HeadscaleOptions>().BindConfiguration(HeadscaleOptions.Section);
        return services;
    }
}
