using System.Reflection;

namespace EdgeInfinite.Cli.Tests;

public sealed class CliAppTests
{
    [Fact]
    public void RunAsync_Help_ListsThePackageVerbsAndNoTrainingVerb()
    {
        var run = CliRun.Invoke("--help");

        Assert.Equal(0, run.ExitCode);
        string commands = run.Stdout.Split("Commands:")[1];
        foreach (string verb in new[] { "convert", "inspect", "generate", "soak", "inspect-state", "bench-long", "export-gguf", "train-tokenizer", "make-corpus", "eval", "make-random" })
        {
            Assert.Contains(verb, commands, StringComparison.Ordinal);
        }

        Assert.DoesNotContain("pretrain", commands, StringComparison.Ordinal);
        Assert.DoesNotContain("train-gates", commands, StringComparison.Ordinal);
    }

    /// <summary>The tool is small because nothing it loads pulls in the trainer: no TorchSharp, so no libtorch in its package.</summary>
    [Fact]
    public void ToolAssembly_ReferenceClosure_HasNoTrainerAndNoTorchSharp()
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<Assembly>([typeof(CliApp).Assembly]);
        while (pending.Count > 0)
        {
            foreach (var name in pending.Pop().GetReferencedAssemblies())
            {
                if (name.Name is { } n && (n.StartsWith("EdgeInfinite", StringComparison.Ordinal) || n.StartsWith("TorchSharp", StringComparison.Ordinal)) && seen.Add(n))
                {
                    pending.Push(Assembly.Load(name));
                }
            }
        }

        Assert.Contains("EdgeInfinite.Onnx", seen);
        Assert.Contains("EdgeInfinite.CommandLine", seen);
        Assert.DoesNotContain("EdgeInfinite.Training", seen);
        Assert.DoesNotContain("TorchSharp", seen);
    }
}
