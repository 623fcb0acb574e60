using System.Diagnostics;

namespace EdgeInfinite.CommandLine;

/// <summary>A one-line progress bar on stderr, redrawn at most ten times a second.</summary>
public sealed class ConsoleProgressBar(TextWriter writer) : IDisposable
{
    private const int Width = 30;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly object _gate = new();
    private long _lastDraw = -1000;
    private bool _drawn;

    /// <summary>Redraws the bar unless it was drawn less than 0.1 s ago (a fraction of 1 always draws).</summary>
    /// <param name="stage">What is running, shown after the percentage.</param>
    /// <param name="fraction">How much is done, 0 to 1 (clamped).</param>
    public void Report(string stage, double fraction)
    {
        lock (_gate)
        {
            long now = _clock.ElapsedMilliseconds;
            if (fraction < 1 && now - _lastDraw < 100)
            {
                return;
            }

            _lastDraw = now;
            fraction = Math.Clamp(fraction, 0, 1);
            int filled = (int)Math.Round(fraction * Width);
            string eta = fraction > 0.01 && fraction < 1 ? $" ETA {TimeSpan.FromMilliseconds(now * (1 - fraction) / fraction):mm\\:ss}" : string.Empty;
            writer.Write($"\r[{new string('#', filled)}{new string('-', Width - filled)}] {fraction * 100,5:0.0}% {stage,-24}{eta}   ");
            _drawn = true;
        }
    }

    /// <summary>Ends the bar's line if one was drawn.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_drawn)
            {
                writer.WriteLine();
            }
        }
    }
}
