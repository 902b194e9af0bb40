using System.Globalization;
using System.Numerics.Tensors;
using DailyPapers.Data;
using DailyPapers.Search;

namespace DailyPapers.Bench;

/// <summary>
/// How close <see cref="VectorIndex"/> (int8 codes and sign bits, no float copy) comes to an exact float scan on real
/// embeddings: the share of the float top k that its binary first pass keeps, at the same candidate share as in
/// production (<see cref="VectorIndex.BinaryShortlist"/> of the 229,380-paper snapshot), and the share of the float
/// top k in its answer, with real query embeddings.
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
        var floats = new List<(long Id, float[] Vector)>();
        await using (var conn = db.CreateConnection())
        await using (var cmd = conn.CreateCommand())
        {
            cmd.CommandText = "SELECT \"PaperId\", \"Vector\" FROM paper_embeddings WHERE \"Model\" = @m";
            KeywordIndex.AddParameter(cmd, "@m", Embedder.ModelName);
            await using var rd = await cmd.ExecuteReaderAsync();
            while (await rd.ReadAsync()) floats.Add((rd.GetInt64(0), Embedder.FromBytes((byte[])rd.GetValue(1))));
        }
        if (floats.Count == 0) { Console.Error.WriteLine($"no {Embedder.ModelName} embeddings stored in {keep}: run the relevance bench with --keep first"); return 2; }
        int candidates = Math.Max(1, (int)Math.Round(fraction * floats.Count));
        var index = new VectorIndex(binaryFrom: 0);
        foreach (var (id, v) in floats) index.Upsert(id, v);
        var queries = BeirCollection.Load(beir).Queries.Select(q => Embedder.Shared.Embed(Embedder.Truncate(q.Text))).ToList();
        foreach (var k in new[] { 10, 100 })
        {
            double binary = 0, answer = 0;
            foreach (var q in queries)
            {
                var exact = floats.Select(f => (f.Id, Score: TensorPrimitives.Dot(q, f.Vector))).OrderByDescending(h => h.Score).Take(k).Select(h => h.Id).ToHashSet();
                var kept = index.BinaryCandidateIds(q, candidates).ToHashSet();
                binary += exact.Count(kept.Contains) / (double)exact.Count;
                answer += index.Nearest(q, k).Count(h => exact.Contains(h.PaperId)) / (double)exact.Count;
            }
            Console.WriteLine($"vectors={floats.Count} queries={queries.Count} k={k} candidates={candidates} share={fraction:P2} recall_of_binary_pass={binary / queries.Count:F4} recall_at_k_vs_float={answer / queries.Count:F4} index_mb={index.MemoryBytes / 1048576.0:F1} float_mb={floats.Count * 384 * 4 / 1048576.0:F1}");
        }
        return 0;
    }
}
