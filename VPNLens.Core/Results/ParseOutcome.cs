namespace VPNLens.Core.Results;

/// <summary>Either a parsed value or the reason it could not be parsed, for input from outside.</summary>
public sealed class ParseOutcome<T>
    where T : class
{
    internal ParseOutcome(T? value, string? error)
    {
        Value = value;
        Error = error;
    }

    public T? Value { get; }

    public string? Error { get; }

    public bool IsValid => Value is not null;
}

public static class ParseOutcome
{
    public static ParseOutcome<T> Valid<T>(T value)
        where T : class => new(value, null);

    public static ParseOutcome<T> Invalid<T>(string error)
        where T : class => new(null, error);
}
