using System.Diagnostics;

namespace VPNLens.Tests.Infrastructure;

/// <summary>Runs a command to completion and returns what it printed; a non-zero exit is a test failure with its output.</summary>
public static class ProcessRunner
{
    public static async Task<string> RunAsync(string file, params string[] arguments) => await RunAsync(file, null, arguments);

    public static Task<string> RunAsync(string file, IDictionary<string, string>? environment, params string[] arguments) =>
        RunWithInputAsync(file, null, environment, arguments);

    /// <summary>Runs the command with <paramref name="input"/> on its standard input (none when null).</summary>
    public static async Task<string> RunWithInputAsync(string file, string? input, IDictionary<string, string>? environment, params string[] arguments)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = input is not null };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {file}.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (input is not null)
        {
            await process.StandardInput.WriteAsync(input);
            process.StandardInput.Close();
        }

        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', arguments)} exited {process.ExitCode}: {await error}{await output}");
        }

        return await output;
    }

    public static bool IsAlive(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited && File.Exists($"/proc/{pid}/stat") && !File.ReadAllText($"/proc/{pid}/stat").Contains(") Z ", StringComparison.Ordinal);
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    public static bool IsRoot => Environment.UserName == "root";
}
