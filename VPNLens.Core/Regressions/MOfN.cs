namespace VPNLens.Core.Regressions;

/// <summary>"At least M of the last N results agree": how many verdicts it takes to open or close an alert.</summary>
public sealed record MOfN(int M, int N)
{
    public static MOfN Default { get; } = new(3, 3);

    /// <summary>An error naming what is wrong, or null when M and N make sense.</summary>
    public string? Problem => N is < 1 or > 50 ? "N must be between 1 and 50." : M < 1 || M > N ? "M must be between 1 and N." : null;

    /// <summary>True when at least M of the last N verdicts are true; fewer than M verdicts never agree.</summary>
    public bool Agree(IReadOnlyList<bool> verdicts)
    {
        ArgumentNullException.ThrowIfNull(verdicts);
        var count = 0;
        for (var i = Math.Max(0, verdicts.Count - N); i < verdicts.Count; i++)
        {
            if (verdicts[i])
            {
                count++;
            }
        }

        return count >= M;
    }
}
