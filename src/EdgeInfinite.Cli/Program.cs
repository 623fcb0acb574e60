using EdgeInfinite.Cli;

using var signals = new TerminationSignals();
return await CliApp.RunAsync(args, Console.Out, Console.Error, signals.Token);
