using System.Text;
using Microsoft.EntityFrameworkCore;
using VPNLens.Core.Results;
using VPNLens.Core.Runs;
using VPNLens.Core.Verdicts;
using VPNLens.Web.Persistence;

namespace VPNLens.Web.Figures;

/// <summary>
/// The run-to-run spread two runs are compared against: from the latest earlier results of their node at their
/// settings (A's or B's), the two runs themselves left out. Runs on different nodes get none: two nodes differ
/// for reasons of their own, and pooling them would call real differences drift.
/// </summary>
public static class RunToRunHistory
{
    /// <summary>How many earlier runs make the estimate: recent enough to be today's machine, enough to be robust.</summary>
    public const int Window = 20;

    /// <summary>How many of the node's latest finished runs are read to find <see cref="Window"/> at the same settings.</summary>
    private const int Scanned = Window * 3;

    public static async Task<IReadOnlyList<RunToRunSpread>> ForAsync(AppDbContext db, Run a, Run b, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (a.NodeId != b.NodeId)
        {
            return [];
        }

        var settings = new HashSet<string>(StringComparer.Ordinal) { RunSettingsFingerprint.Of(a.Settings), RunSettingsFingerprint.Of(b.Settings) };
        var latest = await db.Runs.AsNoTracking()
            .Where(r => r.NodeId == a.NodeId && r.Id != a.Id && r.Id != b.Id && r.FinishedAt != null && r.ResultsJson != null)
            .OrderByDescending(r => r.FinishedAt)
            .Take(Scanned)
            .Select(r => new { r.Settings, r.ResultsJson })
            .ToListAsync(cancellationToken);
        var reports = latest
            .Where(r => settings.Contains(RunSettingsFingerprint.Of(r.Settings)))
            .Select(r => ResultsParser.Parse(Encoding.UTF8.GetBytes(r.ResultsJson!)))
            .Where(p => p.IsValid)
            .Select(p => p.Value!)
            .Take(Window);
        return RunToRunSpreads.From(reports);
    }
}
