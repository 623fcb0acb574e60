using EdgeInfinite.Training.Cli;

using var signals = new TerminationSignals();
return await TrainingCliApp.RunAsync(args, Console.Out, Console.Error, signals.Token);
