using EdgeInfinite.SideBySide;

try
{
    var parsed = Arguments.Parse(args);
    return parsed.Verb switch
    {
        "run-one" => RunOne.Run(parsed.Options),
        "conversation" => ConversationBench.Run(parsed.Options),
        "recall-plot" => RecallPlot.Run(parsed.Options),
        "profile" => ProfileBench.Run(parsed.Options),
        _ => SideBySideApp.Run(parsed.Options),
    };
}
catch (Exception ex) when (ex is ArgumentException or IOException or InvalidDataException or InvalidOperationException or KeyNotFoundException or FormatException or System.Text.Json.JsonException)
{
    Console.Error.WriteLine($"error: {ex.Message.ReplaceLineEndings(" ")}");
    return 1;
}
