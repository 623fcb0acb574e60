namespace EdgeInfinite.Benchmarks;

/// <summary>Entry point: <c>precision</c> (weight precisions side by side), <c>layouts</c> (the comparison, a fresh process per measurement), <c>paired</c> (all layouts in one process, back to back) <c>measure</c> (one package in a fresh process, used by <c>layouts</c>), <c>kv-precision</c> (KV cache element types) or <c>kv-run</c> (one of them in a fresh process).</summary>
internal static class Program
{
    public static int Main(string[] args)
    {
        try
        {
            return args.FirstOrDefault() switch
            {
                "layouts" => LayoutsCommand.Run(new ArgReader(args.Skip(1))),
                "measure" => MeasureCommand.Run(new ArgReader(args.Skip(1))),
                "paired" => PairedCommand.Run(new ArgReader(args.Skip(1))),
                "ops" => OpsCommand.Run(new ArgReader(args.Skip(1))),
                "precision" => PrecisionCommand.Run(new ArgReader(args.Skip(1))),
                "store" => StoreCommand.Run(new ArgReader(args.Skip(1))),
                "kv-precision" => KvCache.KvPrecisionCommand.Run(new ArgReader(args.Skip(1))),
                "kv-run" => KvCache.KvRunCommand.Run(new ArgReader(args.Skip(1))),
                _ => Usage(),
            };
        }
        catch (Exception ex) when (ex is ArgumentException or IOException or InvalidDataException or InvalidOperationException or FormatException or System.Text.Json.JsonException)
        {
            Console.Error.WriteLine($"error: {ex.Message}");
            return 1;
        }
    }

    private static int Usage()
    {
        Console.Error.WriteLine("""
            usage:
              layouts --model <hf-dir> [--prompt 1024] [--decode 64] [--repeats 5] [--rounds 2] [--threads 1,2]
                      [--layouts default,plain-norms,separate-projections,unfused-attention,all-unfused]
                      [--work out/bench] [--max-positions 4096] [--output <file.md>] [--reconvert]
              paired  --model <hf-dir> [--threads 1] [--prompt 1024] [--decode 64] [--repeats 10] [--layouts ...]
                      [--work out/bench] [--max-positions 4096] [--output <file.md>] [--reconvert]
              precision --model <hf-dir> [--variants fp32,int8-b32-a4,int4-b32-a4,int4-b32-a0,...] [--prompt 1024] [--decode 64]
                      [--repeats 5] [--threads 2] [--work out/bench-precision] [--max-positions 4096] [--output <file.md>] [--reconvert]
              ops     [--threads 1] [--chunk 256] [--runs 200] [--output <file.md>]
              measure --package <dir> [--threads N] [--prompt 1024] [--decode 64] [--repeats 5] [--seed 7]
              store   --package <dir> [--history 1024,4096] [--turn 64] [--threads 2] [--repeats 3] [--redis host:port]
                      [--output <file.md>]
              kv-precision --model <hf-dir> | --package <fp32-package> [--variants fp32,fp16,int8] [--lengths 4096,32768] [--decode 32] [--rounds 3]
                      [--threads 2] [--weights int4] [--calibration 2048] [--accuracy-tokens 4096] [--work out/bench-kv]
                      [--max-positions 8192] [--output <file.md>] [--reconvert] [--accuracy-only] [--accuracy-variants fp16,int8|none]
              kv-run  --package <dir> --kv fp32|fp16|int8 [--tokens 4096] [--decode 32] [--threads N] [--scales <file>]
            """);
        return 2;
    }
}
