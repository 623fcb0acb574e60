namespace EdgeInfinite.Cli;

/// <summary>A command-line value that parses but makes no sense (for example two prompt sources).</summary>
internal sealed class CliUsageException(string message) : Exception(message);
