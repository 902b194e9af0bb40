using DailyPapers.Search;

namespace DailyPapers.Tests.Search;

/// <summary>The int8 scan with exact re-ranking returns what the exact float scan returns.</summary>
public sealed class VectorIndexTests
{
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

    [Theory]
    [InlineData(5_000, 10, VectorIndex.BinaryFrom, 0.99)]
    [InlineData(40_000, 100, VectorIndex.BinaryFrom, 0.99)] // large enough for the parallel scan
    [InlineData(40_000, 100, 10_000, 0.95)] // with the binary first pass (approximate)
    [InlineData(40_000, 10, 10_000, 0.95)]
    public void TopKEqualsTheExactScan(int papers, int k, int binaryFrom, double minRecall)
    {
        var rng = new Random(42);
        const int dim = Embedder.Dimensions;
        var index = new VectorIndex(dim, binaryFrom: binaryFrom);
        var topics = Enumerable.Range(0, 50).Select(_ => UnitVector(rng, dim)).ToArray();
        for (int i = 0; i < papers; i++) index.Upsert(1000 + i, UnitVector(rng, dim, topics[i % topics.Length], 0.6f));

        double recall = 0;
        const int queries = 20;
        for (int q = 0; q < queries; q++)
        {
            var query = UnitVector(rng, dim, topics[q], 0.8f);
            var exact = index.NearestExact(query, k);
            var fast = index.Nearest(query, k);
            Assert.Equal(k, fast.Count);
            Assert.True(fast.Zip(fast.Skip(1)).All(p => p.First.Score >= p.Second.Score), "best first");
            recall += fast.Select(h => h.PaperId).Intersect(exact.Select(h => h.PaperId)).Count() / (double)k;
            // Scores are the exact cosine, not the int8 estimate.
            Assert.Equal(exact[0].Score, fast.First(h => h.PaperId == exact[0].PaperId).Score, 5);
        }
        Assert.True(recall / queries >= minRecall, $"recall@{k} {recall / queries:F3}");
        Console.WriteLine($"papers={papers} k={k} binary_from={binaryFrom} recall={recall / queries:F4}");
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
