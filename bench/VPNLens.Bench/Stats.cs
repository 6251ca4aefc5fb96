using System.Diagnostics;
using VPNLens.Core.Statistics;

namespace VPNLens.Bench;

/// <summary>Percentiles over samples in milliseconds, as the app computes them (<see cref="Descriptive.Percentile"/>).</summary>
internal static class Stats
{
    private static double Percentile(IReadOnlyList<double> samples, double p) => Descriptive.Percentile(samples, p) ?? double.NaN;

    public static object Summary(IReadOnlyList<double> samples) => new
    {
        n = samples.Count,
        p50 = Round(Percentile(samples, 50)),
        p95 = Round(Percentile(samples, 95)),
        p99 = Round(Percentile(samples, 99)),
        min = samples.Count == 0 ? double.NaN : Round(samples.Min()),
        max = samples.Count == 0 ? double.NaN : Round(samples.Max()),
    };

    public static double Round(double value) => Math.Round(value, 3);

    public static double ElapsedMs(long fromTimestamp, long toTimestamp) =>
        (toTimestamp - fromTimestamp) * 1000.0 / Stopwatch.Frequency;
}

/// <summary>The app's resident memory, read from /proc like ps does.</summary>
internal static class ProcessMemory
{
    public static double? RssMegabytes(int pid)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                {
                    var kb = double.Parse(line["VmRSS:".Length..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
                    return Math.Round(kb / 1024.0, 1);
                }
            }
        }
        catch (IOException)
        {
            return null;
        }

        return null;
    }
}
