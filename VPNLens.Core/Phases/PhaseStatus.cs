namespace VPNLens.Core.Phases;

public enum PhaseStatus
{
    Succeeded,
    Failed,
    Skipped,
}
