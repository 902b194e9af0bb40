using DailyPapers.Bench;

// Benchmark commands; each prints the figures an issue asks for. See docs/benchmarks.md.
return args.FirstOrDefault() switch
{
    "import" => await ImportBench.RunAsync(args[1..]),
    "parse" => ParseBench.Run(args[1..]),
    "oai-replay" => await OaiReplayBench.RunAsync(args[1..]),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: bench <import|parse|oai-replay> [options]   (see docs/benchmarks.md)");
    return 2;
}
