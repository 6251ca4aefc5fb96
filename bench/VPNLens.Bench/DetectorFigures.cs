using System.Diagnostics;
using VPNLens.Core.Regressions;
using VPNLens.Core.Statistics;
using VPNLens.Tests.Core.Regressions;

namespace VPNLens.Bench;

/// <summary>
/// The regression detector (the app's own <see cref="RegressionMonitor"/>, default policy: a CUSUM of rank scores
/// against a rolling baseline, 3 of 3; <c>--reference</c> and <c>--threshold</c> try other k and h) on
/// seeded synthetic series, fed one result at a time as runs finish, with the same noise as the tests
/// (<see cref="SyntheticSeries"/>): normal with RSD 10 %, Student's t (3 df) with the same scale, and two modes
/// 16 % apart. Delay: results from a step (-15 % unless <c>--step-percent</c> says otherwise) to the alert opening.
/// Placement: how far from the step the alert places the change (its evidence, drawn on the history chart). False
/// alarms: alerts opened per 1,000 results of noise alone.
/// Bound: what the best detector for the normal series could do on the same series (<see cref="Bound"/>).
/// </summary>
internal static class DetectorFigures
{
    private const double Level = 100;
    private const double RsdPercent = 10;

    private static readonly string[] Kinds = ["normal", "heavyTailed", "bimodal"];

    public static Task<object> RunAsync(Options options, CancellationToken cancellationToken)
    {
        var stepSeries = options.Int("step-series", 100);
        var before = options.Int("before", 37);
        var after = options.Int("after", 25);
        var noiseSeries = options.Int("noise-series", 5);
        var noiseRuns = options.Int("noise-runs", 1000);
        var seed = options.Int("seed", 1);
        var stepLevel = Level * (1 + (options.Double("step-percent", -15) / 100));
        var defaults = new CusumSettings();
        var policy = new RegressionPolicy
        {
            Cusum = defaults with { Reference = options.Double("reference", defaults.Reference), Threshold = options.Double("threshold", defaults.Threshold) },
        };
        var monitor = new RegressionMonitor(TrackedMetric.TcpUpload, policy);
        var started = Stopwatch.GetTimestamp();

        var kinds = Kinds.Select(kind =>
        {
            var delays = new List<int?>();
            var placements = new List<int>();
            var early = 0;
            for (var s = 0; s < stepSeries; s++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var values = StepSeries(kind, seed + s, before, after, stepLevel);
                var opened = Opened(monitor, values);
                early += opened.Count(o => o.At < before);
                var first = opened.FirstOrDefault(o => o.At >= before);
                delays.Add(first is null ? null : first.At - before + 1);
                if (first is not null)
                {
                    placements.Add(first.ChangeIndex - before);
                }
            }

            var alerts = 0;
            for (var s = 0; s < noiseSeries; s++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                alerts += Opened(monitor, NoiseSeries(kind, seed + s, noiseRuns)).Count;
            }

            return new
            {
                kind,
                step = new
                {
                    series = stepSeries,
                    detected = delays.Count(d => d is not null),
                    openedBeforeStep = early,
                    medianDelay = MedianCountingMissesLast(delays),
                    delays = delays.Where(d => d is not null).Order().ToList(),
                    placedWithin3 = placements.Count(p => Math.Abs(p) <= 3),
                    medianPlacementError = Descriptive.Median([.. placements.Select(p => (double)Math.Abs(p))]),
                    placements = placements.Order().ToList(),
                },
                noise = new { series = noiseSeries, runs = noiseSeries * noiseRuns, alerts, perThousand = Stats.Round(alerts * 1000.0 / Math.Max(1, noiseSeries * noiseRuns)) },
            };
        }).ToList();

        return Task.FromResult<object>(new
        {
            m = policy.Rule.M,
            n = policy.Rule.N,
            reference = policy.Cusum.Reference,
            threshold = policy.Cusum.Threshold,
            baseline = policy.Cusum.Baseline,
            stepPercent = (stepLevel - Level) / Level * 100,
            rsdPercent = RsdPercent,
            before,
            after,
            seed,
            seconds = Stats.Round(Stats.ElapsedMs(started, Stopwatch.GetTimestamp()) / 1000),
            kinds,
            bound = Bound(stepLevel, stepSeries, before, after, noiseSeries, noiseRuns, seed),
        });
    }

    /// <summary>
    /// The bound the delay is up against: Page's CUSUM on the normal series' own z-scores, (level − x) / σ, with the level,
    /// σ and the shift known (k half the shift), the detector that finds a known shift fastest for its false-alarm rate
    /// (Moustakides 1986), with no M of N. Over the same seeded step and noise series as the app's detector: for each h
    /// from 1 to 8 in halves, its alarms in the noise series and its median delay; <c>threshold</c> is the lowest h
    /// with no alarm in the noise series, the one to hold the app's delay against.
    /// </summary>
    private static object Bound(double stepLevel, int stepSeries, int before, int after, int noiseSeries, int noiseRuns, int seed)
    {
        const double Sigma = Level * RsdPercent / 100;
        var reference = (Level - stepLevel) / Sigma / 2;
        var steps = Enumerable.Range(0, stepSeries).Select(s => StepSeries("normal", seed + s, before, after, stepLevel)).ToList();
        var noise = Enumerable.Range(0, noiseSeries).Select(s => NoiseSeries("normal", seed + s, noiseRuns)).ToList();
        var grid = Enumerable.Range(2, 15).Select(i => i / 2.0).Select(h => new
        {
            threshold = h,
            alerts = noise.Sum(values => KnownShiftAlarms(values, Sigma, reference, h).Count),
            medianDelay = MedianCountingMissesLast([.. steps.Select(values =>
                KnownShiftAlarms(values, Sigma, reference, h).Where(at => at >= before).Select(at => (int?)(at - before + 1)).FirstOrDefault())]),
        }).ToList();
        var best = grid.FirstOrDefault(g => g.alerts == 0);
        return new { kind = "normal", reference, threshold = best?.threshold, medianDelay = best?.medianDelay, noiseRuns = noiseSeries * noiseRuns, grid };
    }

    /// <summary>Where the known-shift CUSUM alarms (the result's index); it restarts at 0 after each alarm.</summary>
    private static List<int> KnownShiftAlarms(double[] values, double sigma, double reference, double threshold)
    {
        var alarms = new List<int>();
        var sum = 0.0;
        for (var i = 0; i < values.Length; i++)
        {
            sum = Math.Max(0, sum + ((Level - values[i]) / sigma) - reference);
            if (sum > threshold)
            {
                alarms.Add(i);
                sum = 0;
            }
        }

        return alarms;
    }

    /// <summary>A seeded series of <paramref name="before"/> results at the level, then <paramref name="after"/> at the step's.</summary>
    private static double[] StepSeries(string kind, int seed, int before, int after, double stepLevel)
    {
        var random = new Random(seed);
        return [.. Noise(kind, random, before, Level), .. Noise(kind, random, after, stepLevel)];
    }

    /// <summary>A seeded series of noise alone, its seeds apart from the step series'.</summary>
    private static double[] NoiseSeries(string kind, int seed, int count) => Noise(kind, new Random(seed + 100_000), count, Level);

    private static double[] Noise(string kind, Random random, int count, double level) => kind switch
    {
        "normal" => SyntheticSeries.Normal(random, count, level, RsdPercent),
        "heavyTailed" => SyntheticSeries.HeavyTailed(random, count, level, RsdPercent),
        _ => SyntheticSeries.Bimodal(random, count, level),
    };

    private sealed record Opening(int At, int ChangeIndex);

    /// <summary>
    /// Where alerts opened (the result's index) and where each placed its change, the monitor asked after each result as
    /// the app asks it.
    /// </summary>
    private static List<Opening> Opened(RegressionMonitor monitor, double[] values)
    {
        var points = SyntheticSeries.Points(values);
        var state = RegressionState.Initial;
        var opened = new List<Opening>();
        for (var i = 1; i <= points.Length; i++)
        {
            var step = monitor.Evaluate(state, points[..i]);
            if (step.Transition == AlertTransition.Opened)
            {
                opened.Add(new Opening(i - 1, Array.FindIndex(points, p => p.At == step.ChangeAt)));
            }

            state = step.State;
        }

        return opened;
    }

    /// <summary>The median delay, a series that never alerted counting as infinitely late; null when the median is one of them.</summary>
    private static double? MedianCountingMissesLast(List<int?> delays) =>
        Descriptive.Median([.. delays.Select(d => d ?? double.PositiveInfinity)]) is { } median && double.IsFinite(median) ? median : null;
}
