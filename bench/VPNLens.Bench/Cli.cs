using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace VPNLens.Bench;

/// <summary>Dispatches "vpnlens-bench COMMAND --key value ...".</summary>
internal static class Cli
{
    private static readonly Dictionary<string, (string Usage, Func<Options, CancellationToken, Task<object>> Run)> Commands = new(StringComparer.Ordinal)
    {
        ["seed"] = ("--db FILE --runs N --template RESULTS.json [--tokens-out FILE] [--tokens 1000]", Seeder.SeedAsync),
        ["running-run"] = ("--db FILE --node-id GUID [--protocols direct,wireguard]", Seeder.RunningRunAsync),
        ["wait-idle"] = ("--db FILE [--timeout-seconds 120]", Seeder.WaitIdleAsync),
        ["first-phase"] = ("--base URL --api-token T --node-id GUID [--protocols wireguard] [--timeout-seconds 60]", FirstPhase.RunAsync),
        ["push"] = ("--base URL --api-token T --run-id GUID --secret whsec_... [--rate 20] [--count 300]", PushLatency.RunAsync),
        ["intake"] = ("--base URL --db FILE --runs ID:SECRET,... [--concurrency 16] [--seconds 10]", Intake.RunAsync),
        ["seed-history"] = ("--db FILE --template RESULTS.json [--nodes 10] [--hours 8760] [--seed 1]", HistorySeeder.SeedAsync),
        ["retention"] = ("--db FILE [--days 30] [--batch 1000]", RetentionRound.RunAsync),
        ["history-query"] = ("--base URL --api-token T --node-ids GUID,... --from ISO --to ISO [--protocols ...] [--metrics ...] [--requests 200] [--warmup 5] [--max-seconds 120]", HistoryQuery.RunAsync),
        ["detector"] = ("[--step-series 100] [--before 37] [--after 25] [--noise-series 5] [--noise-runs 1000] [--seed 1] [--step-percent -15] [--reference 0.75] [--threshold 6]", DetectorFigures.RunAsync),
        ["dashboard-push"] = ("--base URL --api-token T --run-id GUID --secret whsec_... --email ADMIN --password P [--dashboards 100] [--rate 20] [--count 300]", DashboardPush.RunAsync),
        ["live-push"] = ("--base URL --token T --run-id GUID --secret whsec_... [--readers 200] [--count 20] [--interval-ms 500]", LivePush.RunAsync),
        ["cp-sim"] = ("--provider Sqlite|Postgres [--connection-string PG_SERVER] --work DIR --results RESULTS.json [--instances 1|2] [--nodes 1000] [--runs-per-node 3] [--protocols wireguard] [--phase-ms 500] [--concurrency 4] [--timeout-seconds N]", ControlPlaneSim.ControlPlaneSimulation.RunAsync),
        ["sim-instance"] = ("--port P --farm URL --provider Sqlite|Postgres --connection-string CS [--hangfire FILE] --keys DIR --api-token T --admin-password P [--endpoints N]", ControlPlaneSim.SimInstance.RunAsync),
        ["circuits"] = ("--base URL --path /r/TOKEN --app-pid PID --run-id GUID --secret whsec_... [--count 100] [--hold-seconds 20] [--email E --password P]", Circuits.RunAsync),
    };

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = false,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length == 0 || !Commands.TryGetValue(args[0], out var command))
        {
            await Console.Error.WriteLineAsync("usage: vpnlens-bench COMMAND [--key value ...]");
            foreach (var (name, entry) in Commands)
            {
                await Console.Error.WriteLineAsync($"  {name} {entry.Usage}");
            }

            return 2;
        }

        using var cancel = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            cancel.Cancel();
        };

        try
        {
            var result = await command.Run(Options.Parse(args.AsSpan(1)), cancel.Token);
            await Console.Out.WriteLineAsync(JsonSerializer.Serialize(result, Json));
            return 0;
        }
        catch (BenchException ex)
        {
            await Console.Error.WriteLineAsync($"vpnlens-bench {args[0]}: {ex.Message}");
            return 1;
        }
    }
}

/// <summary>A measurement that could not be made, with the reason.</summary>
internal sealed class BenchException : Exception
{
    public BenchException()
    {
    }

    public BenchException(string message)
        : base(message)
    {
    }

    public BenchException(string message, Exception inner)
        : base(message, inner)
    {
    }
}

/// <summary>"--key value" pairs.</summary>
internal sealed class Options
{
    private readonly Dictionary<string, string> values = new(StringComparer.Ordinal);

    public static Options Parse(ReadOnlySpan<string> args)
    {
        var options = new Options();
        for (var i = 0; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Length)
            {
                throw new BenchException($"expected --key value, got '{args[i]}'");
            }

            options.values[args[i][2..]] = args[++i];
        }

        return options;
    }

    public string Required(string key) =>
        values.TryGetValue(key, out var value) && !string.IsNullOrWhiteSpace(value) ? value : throw new BenchException($"--{key} is required");

    public string Text(string key, string fallback) => values.GetValueOrDefault(key, fallback);

    public int Int(string key, int fallback) =>
        values.TryGetValue(key, out var value) ? int.Parse(value, CultureInfo.InvariantCulture) : fallback;

    public double Double(string key, double fallback) =>
        values.TryGetValue(key, out var value) ? double.Parse(value, CultureInfo.InvariantCulture) : fallback;

    public Guid Guid(string key) =>
        System.Guid.TryParse(Required(key), out var id) ? id : throw new BenchException($"--{key} must be a GUID");

    public Uri BaseUri()
    {
        var text = Required("base");
        return new Uri(text.EndsWith('/') ? text : text + "/");
    }
}
