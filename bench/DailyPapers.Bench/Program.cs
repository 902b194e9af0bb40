using DailyPapers.Bench;

// Benchmark commands; each prints the figures an issue asks for. See docs/benchmarks.md.
return args.FirstOrDefault() switch
{
    "import" => await ImportBench.RunAsync(args[1..]),
    "parse" => ParseBench.Run(args[1..]),
    "static" => await StaticServer.RunAsync(args[1..]),
    "votes" => await VoteBench.RunAsync(args[1..]),
    "digest" => await DigestBench.RunAsync(args[1..]),
    "relevance" => await RelevanceBench.RunAsync(args[1..]),
    "embed-speed" => EmbedSpeedBench.Run(args[1..]),
    "tokenize" => TokenizeDump.Run(args[1..]),
    "search-speed" => await SearchSpeedBench.RunAsync(args[1..]),
    "vector-recall" => await VectorRecallBench.RunAsync(args[1..]),
    "oai-replay" => await OaiReplayBench.RunAsync(args[1..]),
    "backup-load" => await BackupBench.RunAsync(args[1..]),
    "tex" => TexBench.Run(args[1..]),
    "http-latency" => await HttpLatencyBench.RunAsync(args[1..]),
    "metrics-overhead" => MetricsOverheadBench.Run(args[1..]),
    "scale" => await ScaleBench.RunAsync(args[1..]),
    "index-build" => await IndexBuildBench.RunAsync(args[1..]),
    "recommend" => RecommendBench.Run(args[1..]),
    "recommend-speed" => RecommendSpeedBench.Run(args[1..]),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: bench <import|parse|static|votes|digest|relevance|embed-speed|tokenize|search-speed|vector-recall|oai-replay|tex|backup-load|http-latency|metrics-overhead|recommend|recommend-speed|scale|index-build> [options]   (see docs/benchmarks.md)");
    return 2;
}
