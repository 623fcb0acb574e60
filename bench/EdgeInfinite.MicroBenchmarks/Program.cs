using BenchmarkDotNet.Running;

BenchmarkSwitcher.FromAssembly(typeof(EdgeInfinite.MicroBenchmarks.MemoryUpdateBenchmarks).Assembly).Run(args);
