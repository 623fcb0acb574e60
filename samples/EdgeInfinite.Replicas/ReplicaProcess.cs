using System.Diagnostics;
using System.Reflection;
using System.Text.Json;

namespace EdgeInfinite.Samples.Replicas;

/// <summary>A replica run as a child process of the demo (this same program in <c>replica</c> mode).</summary>
internal sealed class ReplicaProcess : IDisposable
{
    private readonly Process _process;

    private ReplicaProcess(Process process) => _process = process;

    public static async Task<ReplicaProcess> StartAsync(ReplicaArguments args, string name)
    {
        string self = Environment.ProcessPath ?? throw new InvalidOperationException("The process path is unknown.");
        var start = new ProcessStartInfo(self) { RedirectStandardInput = true, RedirectStandardOutput = true, UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(self) == "dotnet")
        {
            start.ArgumentList.Add(Assembly.GetExecutingAssembly().Location);
        }

        foreach (string a in (string[])["replica", "--redis", args.Redis, "--max-tokens", args.MaxTokens.ToString(System.Globalization.CultureInfo.InvariantCulture), "--name", name])
        {
            start.ArgumentList.Add(a);
        }

        if (args.PackagePath is not null)
        {
            start.ArgumentList.Add("--package");
            start.ArgumentList.Add(args.PackagePath);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("The replica did not start.");
        var replica = new ReplicaProcess(process);
        await replica.ReadLineAsync(ReplicaProtocol.Ready).ConfigureAwait(false);
        return replica;
    }

    public async Task<ReplicaResponse> AskAsync(string message, string? conversationId)
    {
        await _process.StandardInput.WriteLineAsync(JsonSerializer.Serialize(new ReplicaRequest(message, conversationId, null, null), ReplicaProtocol.Json)).ConfigureAwait(false);
        await _process.StandardInput.FlushAsync().ConfigureAwait(false);
        string line = await ReadLineAsync(null).ConfigureAwait(false);
        return JsonSerializer.Deserialize<ReplicaResponse>(line, ReplicaProtocol.Json) ?? throw new InvalidDataException("Empty response line.");
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.StandardInput.Close();
            if (!_process.WaitForExit(10_000))
            {
                _process.Kill();
            }
        }

        _process.Dispose();
    }

    private async Task<string> ReadLineAsync(string? expected)
    {
        while (true)
        {
            string line = await _process.StandardOutput.ReadLineAsync().ConfigureAwait(false) ?? throw new InvalidOperationException("The replica exited.");
            if (line == ReplicaProtocol.Prefilling)
            {
                continue;
            }

            if (expected is null || line == expected)
            {
                return line;
            }
        }
    }
}
