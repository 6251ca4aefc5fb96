using System.Linq.Expressions;
using VPNLens.Core.Runs;

namespace VPNLens.Web.Callbacks;

/// <summary>
/// The columns of a run that a callback's checks need (its secret, its protocols, its node, its state), read without
/// the rest of the row: no settings to deserialize, no results body, nothing tracked.
/// </summary>
internal sealed record CallbackRun(Guid Id, Guid NodeId, string CallbackSecret, List<string> Protocols, RunState State)
{
    public static readonly Expression<Func<Run, CallbackRun>> Columns = r => new CallbackRun(r.Id, r.NodeId, r.CallbackSecret, r.Protocols, r.State);
}
