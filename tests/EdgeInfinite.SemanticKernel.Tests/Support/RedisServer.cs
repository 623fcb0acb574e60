using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace EdgeInfinite.SemanticKernel.Tests.Support;

/// <summary>
/// A real Redis (Debian's <c>redis-server</c>) started for the tests on a free loopback port, without persistence,
/// and stopped (with its folder removed) afterwards. <see cref="SkipReason"/> says why when the binary is absent.
/// </summary>
public sealed class RedisServer : IDisposable
{
    private readonly Process? _process;
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "edgeinfinite-redis-" + Guid.NewGuid().ToString("N"));

    public RedisServer()
    {
        string? binary = Find();
        if (binary is null)
        {
            SkipReason = "redis-server is not installed (apt-get install redis-server; .ci/run installs it).";
            return;
        }

        Directory.CreateDirectory(_directory);
        Port = FreePort();
        var start = new ProcessStartInfo(binary) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = _directory };
        foreach (string a in (string[])["--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", _directory])
        {
            start.ArgumentList.Add(a);
        }

        _process = Process.Start(start) ?? throw new InvalidOperationException("redis-server did not start.");
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        WaitUntilReady();
    }

    /// <summary>Gets why Redis is not available, or <see langword="null"/>.</summary>
    public string? SkipReason { get; }

    /// <summary>Gets the port.</summary>
    public int Port { get; }

    /// <summary>Gets the StackExchange.Redis configuration string.</summary>
    public string Configuration => $"127.0.0.1:{Port}";

    public void Dispose()
    {
        if (_process is not null)
        {
            if (!_process.HasExited)
            {
                _process.Kill();
                _process.WaitForExit(10_000);
            }

            _process.Dispose();
        }

        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    private static string? Find()
    {
        var folders = (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator).Concat(["/usr/bin", "/usr/sbin", "/usr/local/bin"]);
        return folders.Select(f => Path.Combine(f, "redis-server")).FirstOrDefault(File.Exists);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private void WaitUntilReady()
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                using var client = new TcpClient();
                client.Connect(IPAddress.Loopback, Port);
                using var stream = client.GetStream();
                stream.Write("PING\r\n"u8);
                var buffer = new byte[16];
                int n = stream.Read(buffer);
                if (Encoding.ASCII.GetString(buffer, 0, n).StartsWith("+PONG", StringComparison.Ordinal))
                {
                    return;
                }
            }
            catch (SocketException) when (clock.Elapsed < TimeSpan.FromSeconds(15) && !_process!.HasExited)
            {
            }

            if (_process!.HasExited || clock.Elapsed > TimeSpan.FromSeconds(15))
            {
                throw new InvalidOperationException($"redis-server on port {Port} did not become ready.");
            }

            Thread.Sleep(50);
        }
    }
}
