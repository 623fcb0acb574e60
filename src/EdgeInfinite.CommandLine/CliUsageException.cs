namespace EdgeInfinite.CommandLine;

/// <summary>A command-line value that parses but makes no sense (for example two prompt sources).</summary>
/// <param name="message">What is wrong, naming the option.</param>
public sealed class CliUsageException(string message) : Exception(message);
