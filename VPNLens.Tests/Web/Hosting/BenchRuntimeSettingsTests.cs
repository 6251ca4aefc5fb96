using System.Xml.Linq;
using VPNLens.Tests.Infrastructure;

namespace VPNLens.Tests.Web.Hosting;

/// <summary>
/// cp-sim's instances run the app inside the bench tool's process, so under the tool's runtimeconfig: the runtime
/// settings the app's project sets must be the tool's too, or the simulation measures a runtime the app never runs on.
/// </summary>
public sealed class BenchRuntimeSettingsTests
{
    [Fact]
    public void The_bench_tool_runs_with_the_app_s_tiered_pgo_and_gen0_budget()
    {
        var app = Project("VPNLens.Web/VPNLens.Web.csproj");
        var bench = Project("bench/VPNLens.Bench/VPNLens.Bench.csproj");

        Assert.Equal(Property(app, "TieredPGO"), Property(bench, "TieredPGO"));
        Assert.Equal(HostOption(app, "System.GC.Gen0MaxBudget"), HostOption(bench, "System.GC.Gen0MaxBudget"));
    }

    private static XDocument Project(string path) => XDocument.Load(Path.Combine(Repository.Root, path));

    private static string? Property(XDocument project, string name) =>
        project.Descendants(name).SingleOrDefault()?.Value;

    private static string? HostOption(XDocument project, string name) =>
        project.Descendants("RuntimeHostConfigurationOption").SingleOrDefault(o => (string?)o.Attribute("Include") == name)?.Attribute("Value")?.Value;
}
