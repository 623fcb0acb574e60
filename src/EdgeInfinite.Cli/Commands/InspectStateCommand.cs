using System.CommandLine;
using EdgeInfinite.Onnx.Inference;

namespace EdgeInfinite.Cli.Commands;

/// <summary><c>edgeinfinite inspect-state &lt;file&gt;</c>: a saved state's route, token counts and size.</summary>
internal static class InspectStateCommand
{
    public static Command Create(TextWriter stdout)
    {
        var file = new Argument<FileInfo>("state-file") { Description = "A state saved with 'generate --save-state'." };
        var command = new Command("inspect-state", "Show a saved state's route, token counts and size (checks its checksum).") { file };
        command.SetAction(parse =>
        {
            var path = parse.GetValue(file)!;
            if (!path.Exists)
            {
                throw new FileNotFoundException($"state file '{path.FullName}' does not exist", path.FullName);
            }

            if (path.Length == 0)
            {
                // Pipes and devices report size 0 and are never opened (a FIFO would block).
                throw new InvalidDataException($"state file '{path.FullName}' is empty or not a regular file");
            }

            StateSnapshotInfo info;
            try
            {
                using var stream = path.OpenRead();
                info = StateSnapshot.ReadInfo(stream);
            }
            catch (InvalidDataException ex)
            {
                throw new InvalidDataException($"state file '{path.FullName}': {ex.Message}", ex);
            }

            stdout.WriteLine($"state         {path.FullName}");
            stdout.WriteLine($"package       {info.PackageName} (revision {info.PackageRevision})");
            stdout.WriteLine($"route         {info.Route.ToString().ToLowerInvariant()}{(info.Route == Route.Long ? $", memory {(info.MemoryEnabled ? "on" : "off")}" : info.AutoRouted ? ", converts to long past the threshold" : string.Empty)}");
            stdout.WriteLine($"tokens        {info.TokenCount:N0} processed, {info.CachedTokens:N0} raw in the KV cache (capacity {info.CacheCapacity:N0}), {info.TokensInMemory:N0} in memory");
            stdout.WriteLine($"size          {path.Length:N0} bytes");
            return 0;
        });
        return command;
    }
}
