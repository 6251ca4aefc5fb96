using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace VPNLens.Tests.Infrastructure;

/// <summary>One line an app logged.</summary>
public sealed record LogLine(string Category, LogLevel Level, string Message, Exception? Exception);

/// <summary>
/// Every line an app logs (at the levels its settings let through), for a test to look for one: added to the app's
/// services as a logger provider (<c>services.AddSingleton&lt;ILoggerProvider&gt;(recorder)</c>).
/// </summary>
public sealed class LogRecorder : ILoggerProvider
{
    private readonly ConcurrentQueue<LogLine> lines = new();

    public IReadOnlyCollection<LogLine> Lines => lines;

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, lines);

    public void Dispose()
    {
    }

    private sealed class Logger(string category, ConcurrentQueue<LogLine> lines) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            lines.Enqueue(new LogLine(category, logLevel, formatter(state, exception), exception));
    }
}
