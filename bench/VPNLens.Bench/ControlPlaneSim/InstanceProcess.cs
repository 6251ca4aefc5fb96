using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace VPNLens.Bench.ControlPlaneSim;

/// <summary>A sim-instance child process: the real app on a loopback port, its output in a log file.</summary>
internal sealed class InstanceProcess : IAsyncDisposable
{
    private readonly Process process;
    private readonly StreamWriter log;

    private InstanceProcess(Process process, StreamWriter log, Uri address)
    {
        this.process = process;
        this.log = log;
        Address = address;
    }

    public Uri Address { get; }

    public int Pid => process.Id;

    public static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Starts "vpnlens-bench sim-instance ARGS" (this same tool) and waits until its /healthz answers.</summary>
    public static async Task<InstanceProcess> StartAsync(int port, IEnumerable<string> args, string logFile, CancellationToken cancellationToken)
    {
        var self = Environment.ProcessPath ?? throw new BenchException("cannot tell this process's executable");
        var start = new ProcessStartInfo(self)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        if (Path.GetFileNameWithoutExtension(self) == "dotnet")
        {
            start.ArgumentList.Add(typeof(Cli).Assembly.Location);
        }

        start.ArgumentList.Add("sim-instance");
        start.ArgumentList.Add("--port");
        start.ArgumentList.Add(port.ToString(CultureInfo.InvariantCulture));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        var log = new StreamWriter(logFile, append: true) { AutoFlush = true };
        var process = Process.Start(start) ?? throw new BenchException("sim-instance did not start");
        var sync = TextWriter.Synchronized(log);
        process.OutputDataReceived += (_, e) => sync.WriteLine(e.Data);
        process.ErrorDataReceived += (_, e) => sync.WriteLine(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var instance = new InstanceProcess(process, log, new Uri($"http://127.0.0.1:{port}/"));
        await instance.WaitHealthyAsync(TimeSpan.FromSeconds(180), cancellationToken);
        return instance;
    }

    /// <summary>User + system CPU seconds the process has used so far.</summary>
    public double CpuSeconds()
    {
        process.Refresh();
        return process.HasExited ? double.NaN : process.TotalProcessorTime.TotalSeconds;
    }

    private async Task WaitHealthyAsync(TimeSpan limit, CancellationToken cancellationToken)
    {
        using var http = ApiClient.Create(Address, null);
        var deadline = Stopwatch.GetTimestamp() + (long)(limit.TotalSeconds * Stopwatch.Frequency);
        while (Stopwatch.GetTimestamp() < deadline)
        {
            if (process.HasExited)
            {
                throw new BenchException($"sim-instance on {Address} exited with {process.ExitCode} while starting; see its log");
            }

            try
            {
                using var response = await http.GetAsync(new Uri("healthz", UriKind.Relative), cancellationToken);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // not listening yet
            }

            await Task.Delay(TimeSpan.FromMilliseconds(250), cancellationToken);
        }

        throw new BenchException($"sim-instance on {Address} was not healthy within {limit.TotalSeconds} s; see its log");
    }

    /// <summary>SIGINT (the app stops its Hangfire server and Kestrel), then SIGKILL if it lingers.</summary>
    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            using (var kill = Process.Start("kill", ["-INT", process.Id.ToString(CultureInfo.InvariantCulture)]))
            {
                await kill.WaitForExitAsync();
            }

            using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            try
            {
                await process.WaitForExitAsync(grace.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }
        }

        process.Dispose();
        await log.DisposeAsync();
    }
}
