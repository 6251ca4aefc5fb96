using System.Net.Mail;

namespace VPNLens.Core.Runs;

/// <summary>What a person or an automation asks for: benchmark these protocols on that node, mail me the link.</summary>
public sealed record RunRequest(Guid? NodeId, IReadOnlyList<string>? Protocols, string? Email, RunSettingsRequest? Settings = null)
{
    /// <summary>Every problem with the request, keyed by field, in the shape of a validation problem.</summary>
    public Dictionary<string, string[]> Validate()
    {
        var errors = new Dictionary<string, string[]>();
        if (NodeId is null || NodeId == Guid.Empty)
        {
            errors["nodeId"] = ["nodeId is required."];
        }

        if (Protocols is null || Protocols.Count == 0)
        {
            errors["protocols"] = [$"Choose at least one of: {string.Join(", ", Runs.Protocols.Selectable)}."];
        }
        else
        {
            var unknown = Protocols.Where(p => !Runs.Protocols.IsSelectable(p)).ToList();
            if (unknown.Count > 0)
            {
                errors["protocols"] = [$"Unknown protocol(s): {string.Join(", ", unknown)}. Known: {string.Join(", ", Runs.Protocols.Selectable)}."];
            }
        }

        if (string.IsNullOrWhiteSpace(Email))
        {
            errors["email"] = ["email is required: the run's link is sent to it."];
        }
        else if (!IsValidEmail(Email))
        {
            errors["email"] = ["email must be a valid address."];
        }

        return errors;
    }

    /// <summary>The run's settings: the request's choices over the defaults, with every out-of-range field named ("settings.repeats").</summary>
    public (RunSettings Settings, Dictionary<string, string[]> Errors) SettingsOver(RunSettings defaults)
    {
        var settings = Settings?.ApplyTo(defaults) ?? defaults;
        return (settings, RunSettingsValidation.Validate(settings, RunSettingsValidation.ApiField));
    }

    public static bool IsValidEmail(string? email) =>
        !string.IsNullOrWhiteSpace(email)
        && email.Length <= 254
        && MailAddress.TryCreate(email, out var parsed)
        && parsed.Address == email.Trim()
        && parsed.Host.Contains('.', StringComparison.Ordinal);
}
