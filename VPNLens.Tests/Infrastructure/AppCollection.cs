namespace VPNLens.Tests.Infrastructure;

/// <summary>
/// Tests that host the app run one at a time: Hangfire keeps some configuration in static state,
/// so two hosts in one process at once would share it.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class AppCollection
{
    public const string Name = "App";
}
