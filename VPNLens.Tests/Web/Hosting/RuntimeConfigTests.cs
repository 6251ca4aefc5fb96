using System.Text.Json;

namespace VPNLens.Tests.Web.Hosting;

/// <summary>
/// The GC settings the app ships in its runtimeconfig.json, which hold however it is started (dotnet, the image, a
/// service): workstation GC, and a gen0 budget that does not follow a large host cache up to tens of MB.
/// </summary>
public sealed class RuntimeConfigTests
{
    private const long MegaByte = 1024 * 1024;

    private static JsonElement ConfigProperties()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "VPNLens.Web.runtimeconfig.json");
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        return document.RootElement.GetProperty("runtimeOptions").GetProperty("configProperties").Clone();
    }

    [Fact]
    public void The_app_runs_workstation_gc()
    {
        Assert.False(ConfigProperties().GetProperty("System.GC.Server").GetBoolean());
    }

    [Fact]
    public void The_gen0_budget_is_capped_between_the_runtime_floor_and_16_MB()
    {
        var budget = ConfigProperties().GetProperty("System.GC.Gen0MaxBudget").GetInt64();

        Assert.InRange(budget, 6 * MegaByte, 16 * MegaByte);
    }
}
