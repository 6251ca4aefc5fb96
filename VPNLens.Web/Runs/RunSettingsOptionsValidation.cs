using Microsoft.Extensions.Options;
using VPNLens.Core.Runs;

namespace VPNLens.Web.Runs;

/// <summary>Checks Runs:Settings with the same rules as a request's settings; data annotations do not reach nested objects.</summary>
public sealed class RunSettingsOptionsValidation : IValidateOptions<RunOptions>
{
    public ValidateOptionsResult Validate(string? name, RunOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = RunSettingsValidation.Validate(options.Settings, property => $"{RunOptions.Section}:Settings:{property}");
        return errors.Count == 0
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail(errors.SelectMany(e => e.Value));
    }
}
