using VPNLens.Core.Runs;
using VPNLens.Web.Headscale;

namespace VPNLens.Web.Runs;

/// <summary>The per-run secrets a node needs beyond the callback secret (a Headscale pre-auth key for tailscale).</summary>
public sealed class RunSecrets(IHeadscaleKeys headscale)
{
    public async Task<IReadOnlyDictionary<string, string>> ForAsync(Run run, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        var secrets = new Dictionary<string, string>();
        if (run.Protocols.Contains(Protocols.Tailscale))
        {
            secrets["tailscaleAuthKey"] = await headscale.PreAuthKeyAsync(cancellationToken);
        }

        return secrets;
    }
}
