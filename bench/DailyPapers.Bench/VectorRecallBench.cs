using System.Globalization;
using DailyPapers.Data;
using DailyPapers.Search;

namespace DailyPapers.Bench;

/// <summary>
/// How good the binary first pass of <see cref="VectorIndex"/> is on real embeddings: the share of the exact top k
/// (by cosine) that is among the candidates it hands on, at the same candidate share as in production
/// (<see cref="VectorIndex.BinaryShortlist"/> of the 229,380-paper snapshot), with real query embeddings.
/// </summary>
internal static class VectorRecallBench
{
    public static async Task<int> RunAsync(string[] args)
    {
        string? keep = null, beir = null;
        double fraction = VectorIndex.BinaryShortlist / 229_380.0;
        for (int i = 0; i < args.Length; i++)
        {
            if (args[i] == "--keep") keep = args[++i];
            else if (args[i] == "--beir") beir = args[++i];
            else if (args[i] == "--fraction") fraction = double.Parse(args[++i], CultureInfo.InvariantCulture);
        }
        if (keep is null || beir is null)
        {
            Console.Error.WriteLine("usage: vector-recall --keep DATA_DIR_WITH_EMBEDDINGS --beir COLLECTION_DIR [--fraction F]");
            return 2;
        }
        var db = DatabaseSettings.Resolve(keep, null);
        var index = new VectorIndex(binaryFrom: 0);
        int loaded = await new EmbeddingWork(db, index, () => Embedder.Shared).LoadAsync();
        if (loaded == 0) { Console.Error.WriteLine($"no {Embedder.ModelName} embeddings stored in {keep}: run the relevance bench with --keep first"); return 2; }
        var queries = BeirCollection.Load(beir).Queries.Select(q => q.Text).ToList();
        int candidates = Math.Max(1, (int)Math.Round(fraction * loaded));
        foreach (var k in new[] { 10, 100 })
        {
            double recall = 0;
            foreach (var text in queries)
            {
                var q = Embedder.Shared.Embed(Embedder.Truncate(text));
                var exact = index.NearestExact(q, k).Select(h => h.PaperId).ToHashSet();
                var kept = index.BinaryCandidateIds(q, candidates).ToHashSet();
                recall += exact.Count(kept.Contains) / (double)exact.Count;
            }
            Console.WriteLine($"vectors={loaded} queries={queries.Count} k={k} candidates={candidates} share={fraction:P2} recall_of_binary_pass={recall / queries.Count:F4}");
        }
        return 0;
    }
}
