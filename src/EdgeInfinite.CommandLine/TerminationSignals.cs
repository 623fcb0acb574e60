using System.Runtime.InteropServices;

namespace EdgeInfinite.CommandLine;

/// <summary>
/// Turns the first Ctrl+C (SIGINT) or SIGTERM into a cancellation, so a command stops at its next check and removes
/// what it was writing; a second signal ends the process the default way.
/// </summary>
public sealed class TerminationSignals : IDisposable
{
    private readonly CancellationTokenSource _cts = new();
    private readonly PosixSignalRegistration? _sigterm;

    /// <summary>Initializes a new instance of the <see cref="TerminationSignals"/> class and starts listening.</summary>
    public TerminationSignals()
    {
        Console.CancelKeyPress += OnCancelKeyPress;
        if (!OperatingSystem.IsWindows())
        {
            _sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
        }
    }

    /// <summary>Gets the token cancelled by the first signal.</summary>
    public CancellationToken Token => _cts.Token;

    /// <inheritdoc/>
    public void Dispose()
    {
        Console.CancelKeyPress -= OnCancelKeyPress;
        _sigterm?.Dispose();
        _cts.Dispose();
    }

    private void OnCancelKeyPress(object? sender, ConsoleCancelEventArgs e) => e.Cancel = Cancel();

    private void OnSignal(PosixSignalContext context) => context.Cancel = Cancel();

    /// <summary>Cancels once; returns whether the default termination was held back.</summary>
    private bool Cancel()
    {
        if (_cts.IsCancellationRequested)
        {
            return false;
        }

        _cts.Cancel();
        return true;
    }
}
