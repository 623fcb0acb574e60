using EdgeInfinite.SideBySide;

try
{
    var parsed = Arguments.Parse(args);
    return parsed.Verb == "run-one" ? RunOne.Run(parsed.Options) : SideBySideApp.Run(parsed.Options);
}
catch (Exception ex) when (ex is ArgumentException or IOException or InvalidDataException or InvalidOperationException or KeyNotFoundException or FormatException)
{
    Console.Error.WriteLine($"error: {ex.Message.ReplaceLineEndings(" ")}");
    return 1;
}
