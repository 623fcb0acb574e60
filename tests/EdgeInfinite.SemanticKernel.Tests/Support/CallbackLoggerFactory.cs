using Microsoft.Extensions.Logging;

namespace EdgeInfinite.SemanticKernel.Tests.Support;

/// <summary>A logger factory that records every message (all levels) and can run a callback on each.</summary>
public sealed class CallbackLoggerFactory(Action<LogLevel, string>? onLog = null, LogLevel minimumLevel = LogLevel.Trace) : ILoggerFactory
{
    private readonly List<(LogLevel Level, string Message)> _entries = [];

    public IReadOnlyList<(LogLevel Level, string Message)> Entries
    {
        get
        {
            lock (_entries)
            {
                return [.. _entries];
            }
        }
    }

    public LogLevel MinimumLevel => minimumLevel;

    public void AddProvider(ILoggerProvider provider)
    {
    }

    public ILogger CreateLogger(string categoryName) => new Logger(this);

    public void Dispose()
    {
    }

    private void Add(LogLevel level, string message)
    {
        lock (_entries)
        {
            _entries.Add((level, message));
        }

        onLog?.Invoke(level, message);
    }

    private sealed class Logger(CallbackLoggerFactory owner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= owner.MinimumLevel;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                owner.Add(logLevel, exception is null ? formatter(state, exception) : formatter(state, exception) + " " + exception);
            }
        }
    }
}
