using Microsoft.Extensions.Options;

namespace VPNLens.Web.Nodes;

/// <summary>Stops the app at start when Ssh:ScriptsPath (or the scripts folder beside the app) has no run.sh to upload.</summary>
public sealed class ScriptsPathValidation : IValidateOptions<SshOptions>
{
    public static string DirectoryOf(SshOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.ScriptsPath ?? Path.Combine(AppContext.BaseDirectory, "scripts");
    }

    public ValidateOptionsResult Validate(string? name, SshOptions options)
    {
        var directory = DirectoryOf(options);
        return File.Exists(Path.Combine(directory, "run.sh"))
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail($"Ssh:ScriptsPath must name the folder of the node scripts; there is no run.sh in {directory}.");
    }
}
