using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace EdgeInfinite.SemanticKernel.Tests.Support;

/// <summary>
/// A second replica in its own OS process: the <c>EdgeInfinite.Replicas</c> sample in <c>replica</c> mode, serving
/// JSON lines, with its conversations in the same Redis.
/// </summary>
public sealed class ChildReplica : IDisposable
{
    private readonly Process _process;

    private ChildReplica(Process process) => _process = process;

    /// <summary>One answer of the replica.</summary>
    public sealed record Answer(string ConversationId, string Text, int[] TokenIds, int[] PromptTokenIds, int Reused, long Prefilled, string Route);

    public int ProcessId => _process.Id;

    public static async Task<ChildReplica> StartAsync(string redis, string packagePath, int maxTokens)
    {
        var start = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string a in (string[])[SampleAssembly(), "replica", "--redis", redis, "--package", packagePath, "--max-tokens", maxTokens.ToString(System.Globalization.CultureInfo.InvariantCulture), "--name", "child"])
        {
            start.ArgumentList.Add(a);
        }

        start.Environment["DOTNET_gcServer"] = "0";
        var process = Process.Start(start) ?? throw new InvalidOperationException("The replica process did not start.");
        process.ErrorDataReceived += (_, _) => { };
        process.BeginErrorReadLine();
        var replica = new ChildReplica(process);
        string line = await replica.ReadLineAsync();
        Assert.Equal("ready", line);
        return replica;
    }

    /// <summary>Sends a request without waiting for its answer.</summary>
    public async Task SendAsync(string message, string? conversationId, int? maxTokens = null)
    {
        var request = new JsonObject { ["message"] = message, ["conversationId"] = conversationId, ["maxTokens"] = maxTokens };
        await _process.StandardInput.WriteLineAsync(request.ToJsonString());
        await _process.StandardInput.FlushAsync();
    }

    public async Task<Answer> AskAsync(string message, string? conversationId)
    {
        await SendAsync(message, conversationId);
        return await ReadAnswerAsync();
    }

    public async Task<Answer> ReadAnswerAsync()
    {
        string line;
        while ((line = await ReadLineAsync()) == "prefilling")
        {
        }

        return JsonSerializer.Deserialize<Answer>(line, new JsonSerializerOptions(JsonSerializerDefaults.Web))!;
    }

    /// <summary>Waits until the replica reports that a request's prefill is under way.</summary>
    public async Task WaitForPrefillAsync()
    {
        string line = await ReadLineAsync();
        Assert.Equal("prefilling", line);
    }

    /// <summary>Kills the process at once (SIGKILL, as <c>kill -9</c>): no cleanup code runs.</summary>
    public void KillNow()
    {
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit(10_000);
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.StandardInput.Close();
            if (!_process.WaitForExit(10_000))
            {
                _process.Kill(entireProcessTree: true);
            }
        }

        _process.Dispose();
    }

    private async Task<string> ReadLineAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        return await _process.StandardOutput.ReadLineAsync(timeout.Token) ?? throw new InvalidOperationException("The replica process exited.");
    }

    // The sample's build output next to this test assembly's: .../samples/EdgeInfinite.Replicas/bin/<configuration>/<tfm>/<rid>/.
    private static string SampleAssembly()
    {
        var here = new DirectoryInfo(AppContext.BaseDirectory);
        var root = here;
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "EdgeInfinite.SemanticKernel.sln")))
        {
            root = root.Parent;
        }

        Assert.NotNull(root);
        string relative = Path.GetRelativePath(Path.Combine(root.FullName, "tests", "EdgeInfinite.SemanticKernel.Tests", "bin"), here.FullName);
        string path = Path.Combine(root.FullName, "samples", "EdgeInfinite.Replicas", "bin", relative, "EdgeInfinite.Replicas.dll");
        Assert.True(File.Exists(path), $"The replica sample is not built at {path}.");
        return path;
    }
}
