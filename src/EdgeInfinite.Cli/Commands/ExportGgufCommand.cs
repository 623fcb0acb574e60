using System.CommandLine;
using EdgeInfinite.ModelBuilder.Gguf;

namespace EdgeInfinite.Cli.Commands;

/// <summary><c>edgeinfinite export-gguf &lt;hf-dir&gt; -o &lt;file.gguf&gt; [--f16]</c>: the same weights for llama.cpp / LLamaSharp.</summary>
internal static class ExportGgufCommand
{
    public static Command Create(TextWriter stdout)
    {
        var source = new Argument<DirectoryInfo>("hf-dir") { Description = "Hugging Face checkpoint folder." };
        var output = new Option<FileInfo>("--output", "-o") { Description = "GGUF file to write.", Required = true };
        var half = new Option<bool>("--f16") { Description = "Store matrices as float16 (default float32)." };
        var command = new Command("export-gguf", "Write a checkpoint as GGUF for llama.cpp / LLamaSharp (side-by-side baseline).") { source, output, half };
        command.SetAction(parse =>
        {
            string target = parse.GetValue(output)!.FullName;
            GgufExporter.Export(parse.GetValue(source)!.FullName, target, parse.GetValue(half));
            stdout.WriteLine($"wrote {target} ({new FileInfo(target).Length:N0} bytes)");
            return 0;
        });
        return command;
    }
}
