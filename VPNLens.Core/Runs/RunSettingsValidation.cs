using System.ComponentModel.DataAnnotations;
using System.Text.Json;

namespace VPNLens.Core.Runs;

/// <summary>
/// The one check of <see cref="RunSettings"/>: its [Range]s and that max repeats is at least repeats. The API names
/// fields "settings.repeats"; the configuration check names them "Runs:Settings:Repeats".
/// </summary>
public static class RunSettingsValidation
{
    /// <param name="name">Turns a property name (Repeats) into the field name the caller reports.</param>
    public static Dictionary<string, string[]> Validate(RunSettings settings, Func<string, string> name)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(name);
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(settings, new ValidationContext(settings), results, validateAllProperties: true);
        var errors = results
            .SelectMany(r => r.MemberNames.Select(m => (Member: m, r.ErrorMessage)))
            .GroupBy(e => name(e.Member))
            .ToDictionary(g => g.Key, g => g.Select(e => (e.ErrorMessage ?? "is out of range.").Replace(g.First().Member, g.Key, StringComparison.Ordinal)).ToArray());
        if (settings.MaxRepeats < settings.Repeats && !errors.ContainsKey(name(nameof(RunSettings.MaxRepeats))))
        {
            errors[name(nameof(RunSettings.MaxRepeats))] = [$"{name(nameof(RunSettings.MaxRepeats))} must be at least {name(nameof(RunSettings.Repeats))} ({settings.Repeats})."];
        }

        return errors;
    }

    /// <summary>"settings.maxRepeats": the field as a JSON body names it.</summary>
    public static string ApiField(string property) => "settings." + JsonNamingPolicy.CamelCase.ConvertName(property);
}
