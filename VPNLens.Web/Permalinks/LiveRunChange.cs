using VPNLens.Core.Runs;

namespace VPNLens.Web.Permalinks;

/// <summary>
/// What a live permalink page pushes to its readers: the version of the page now (its state, phases so far and place in
/// the queue) and whether the run has ended. A page that shows another version fetches <c>/r/{token}?v={version}</c>:
/// every reader asks the same address, so one render serves them all from the output cache.
/// </summary>
public sealed record LiveRunChange(string Version, string State, bool Terminal)
{
    public static LiveRunChange Of(RunState state, int phases, int position) =>
        new(FormattableString.Invariant($"{state}.{phases}.{position}").ToLowerInvariant(), state.ToString(), state.IsTerminal());
}
