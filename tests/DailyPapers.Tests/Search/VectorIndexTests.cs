using System.Text.Json;
using DailyPapers.Search;
using DailyPapers.Tests.Support;

namespace DailyPapers.Tests.Search;

/// <summary>The compact index (int8 codes, sign bits; no float copy) returns what an exact float scan returns, within a stated recall.</summary>
public sealed class VectorIndexTests
{
    /// <summary>The reference: every vector's float dot product with the query, best k.</summary>
    private static List<(long Id, float Score)> ExactScan(IReadOnlyList<(long Id, float[] Vector)> all, float[] query, int k) =>
        all.Select(v => (v.Id, Score: v.Vector.Zip(query).Sum(p => p.First * p.Second))).OrderByDescending(h => h.Score).Take(k).ToList();

    private static float[] UnitVector(Random rng, int dim, float[]? near = null, float spread = 1f)
    {
        var v = new float[dim];
        for (int i = 0; i < dim; i++)
        {
            // Box-Muller normal, optionally around another vector (papers on one topic are near each other).
            double n = Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
            v[i] = (near?[i] ?? 0) + spread * (float)n / MathF.Sqrt(dim);
        }
        var norm = MathF.Sqrt(v.Sum(x => x * x));
        for (int i = 0; i < dim; i++) v[i] /= norm;
        return v;
    }

    [Fact]
    public void ASavedIndexLoadsBackWithTheSameAnswersAndACutFileIsRefused()
    {
        var rng = new Random(3);
        const int dim = Embedder.Dimensions;
        var index = new VectorIndex(dim, binaryFrom: 500);
        for (int i = 0; i < 2_000; i++) index.Upsert(10 + i, UnitVector(rng, dim));
        using var file = new MemoryStream();
        index.Save(file, stamp: 1234);

        var loaded = new VectorIndex(dim, binaryFrom: 500);
        file.Position = 0;
        Assert.Equal(1234, loaded.Load(file));
        Assert.Equal(index.Count, loaded.Count);
        for (int q = 0; q < 5; q++)
        {
            var query = UnitVector(rng, dim);
            Assert.Equal(index.Nearest(query, 20), loaded.Nearest(query, 20)); // binary pass included: same bits, same centre
        }
        // It keeps working as an index: a changed paper replaces its vector, a new one is added.
        var moved = UnitVector(rng, dim);
        loaded.Upsert(10, moved);
        loaded.Upsert(99_999, UnitVector(rng, dim));
        Assert.Equal(2_001, loaded.Count);
        Assert.Equal(10, loaded.Nearest(moved, 1)[0].PaperId);

        var cut = new MemoryStream(file.ToArray()[..(int)(file.Length - 100)]);
        Assert.Throws<InvalidDataException>(() => loaded.Load(cut));
        Assert.Equal(0, loaded.Count);
        Assert.Throws<InvalidDataException>(() => loaded.Load(new MemoryStream([1, 2, 3, 4, 5, 6, 7, 8])));
    }

    [Theory]
    // Without the binary pass the answer is the float top k up to the codes' rounding: on these synthetic topics,
    // whose neighbours' cosines are packed far closer together than real papers', that is 97-99 % of it.
    [InlineData(5_000, 10, VectorIndex.BinaryFrom, 0.97)]
    [InlineData(40_000, 100, VectorIndex.BinaryFrom, 0.97)] // large enough for the parallel scan
    [InlineData(40_000, 100, 10_000, 0.95)] // with the binary first pass (approximate)
    [InlineData(40_000, 10, 10_000, 0.95)]
    public void TopKEqualsTheExactScan(int papers, int k, int binaryFrom, double minRecall)
    {
        var rng = new Random(42);
        const int dim = Embedder.Dimensions;
        var index = new VectorIndex(dim, binaryFrom: binaryFrom);
        var topics = Enumerable.Range(0, 50).Select(_ => UnitVector(rng, dim)).ToArray();
        var all = new List<(long, float[])>(papers);
        for (int i = 0; i < papers; i++) all.Add((1000 + i, UnitVector(rng, dim, topics[i % topics.Length], 0.6f)));
        foreach (var (id, v) in all) index.Upsert(id, v);

        double recall = 0;
        const int queries = 20;
        for (int q = 0; q < queries; q++)
        {
            var query = UnitVector(rng, dim, topics[q], 0.8f);
            var exact = ExactScan(all, query, k);
            var fast = index.Nearest(query, k);
            Assert.Equal(k, fast.Count);
            Assert.True(fast.Zip(fast.Skip(1)).All(p => p.First.Score >= p.Second.Score), "best first");
            recall += fast.Select(h => h.PaperId).Intersect(exact.Select(h => h.Id)).Count() / (double)k;
            // Scores are the float query against the codes: the cosine up to the codes' rounding.
            Assert.Equal(exact[0].Score, fast.First(h => h.PaperId == exact[0].Id).Score, 2);
        }
        Assert.True(recall / queries >= minRecall, $"recall@{k} {recall / queries:F3}");
        Console.WriteLine($"papers={papers} k={k} binary_from={binaryFrom} recall={recall / queries:F4}");
    }

    [Fact]
    public void RealEmbeddingsGiveTheFloatScansNeighbours()
    {
        // 400 abstracts of the sample and 40 other papers' titles as queries, embedded by the product's model.
        var papers = File.ReadLines(TestEnv.Sample1000).Take(440).Select(line =>
        {
            using var doc = JsonDocument.Parse(line);
            return (Title: doc.RootElement.GetProperty("title").GetString()!, Abstract: doc.RootElement.GetProperty("abstract").GetString()!);
        }).ToList();
        var vectors = Embedder.Shared.EmbedMany(papers.Take(400).Select(p => Embedder.Truncate(p.Title + ". " + p.Abstract)).ToList());
        var all = vectors.Select((v, i) => ((long)i, v)).ToList();
        var index = new VectorIndex(binaryFrom: 0); // through the binary pass (which keeps all 400 here) and both int8 passes
        foreach (var (id, v) in all) index.Upsert(id, v);
        double recall = 0, worstScoreError = 0;
        var queries = papers.Skip(400).Select(p => Embedder.Shared.Embed(p.Title)).ToList();
        foreach (var q in queries)
        {
            var exact = ExactScan(all, q, 10);
            var fast = index.Nearest(q, 10);
            recall += fast.Select(h => h.PaperId).Intersect(exact.Select(h => h.Id)).Count() / 10.0;
            foreach (var h in fast) worstScoreError = Math.Max(worstScoreError, Math.Abs(h.Score - all[(int)h.PaperId].v.Zip(q).Sum(p => p.First * p.Second)));
        }
        Assert.True(recall / queries.Count >= 0.98, $"recall@10 {recall / queries.Count:F3} against the float scan");
        Assert.True(worstScoreError < 0.005, $"a score {worstScoreError:F4} away from the float cosine");
    }

    [Fact]
    public void FiltersAndEmptyVectorsAreHandled()
    {
        var rng = new Random(1);
        var index = new VectorIndex(Embedder.Dimensions);
        for (int i = 0; i < 300; i++) index.Upsert(i, UnitVector(rng, Embedder.Dimensions));
        index.Upsert(999, new float[Embedder.Dimensions]); // all zeros: scale 0, never a NaN
        var query = UnitVector(rng, Embedder.Dimensions);
        var even = index.Nearest(query, 10, id => id % 2 == 0);
        Assert.Equal(10, even.Count);
        Assert.All(even, h => Assert.Equal(0, h.PaperId % 2));
        Assert.Empty(index.Nearest(query, 0));
    }

    [Fact]
    public void Int8DotMatchesTheScalarDefinition()
    {
        var rng = new Random(3);
        foreach (var len in new[] { 1, 31, 32, 33, 384, 385 })
        {
            var a = Enumerable.Range(0, len).Select(_ => (sbyte)rng.Next(-127, 128)).ToArray();
            var b = Enumerable.Range(0, len).Select(_ => (sbyte)rng.Next(-127, 128)).ToArray();
            Assert.Equal(a.Zip(b).Sum(p => p.First * p.Second), VectorIndex.Dot(a, b));
        }
    }
}
