using Lucene.Net.Search;
using Lucene.Net.Search.Similarities;

namespace DailyPapers.Search;

/// <summary>
/// Lucene's BM25 (the index and Lucene's own searches use it unchanged) that also hands out the two numbers a term's
/// score is made of, so <see cref="MaxScore"/> can score postings in its own loop with the very same float arithmetic
/// (<c>MaxScoreTests.OwnBm25ArithmeticEqualsLucenesScorerBitForBit</c> compares it with Lucene's scorer).
/// </summary>
public sealed class Bm25(float k1, float b) : BM25Similarity(k1, b)
{
    /// <summary>A term's weight (idf × boost × (k1 + 1)) and its length-norm table, as Lucene's BM25 scorer computes them.</summary>
    public TermWeight Weigh(float boost, CollectionStatistics collection, TermStatistics term) =>
        Weigh(boost, LengthTable(collection), collection, term);

    /// <summary>The same with the field's length table already made (<see cref="LengthTable"/>: one per field, shared by its terms).</summary>
    public TermWeight Weigh(float boost, float[] lengthTable, CollectionStatistics collection, TermStatistics term) =>
        new(Idf(term.DocFreq, collection.MaxDoc) * boost * (K1 + 1), lengthTable, K1);

    /// <summary>A field's length factor for each norm byte: <c>k1 · (1 − b + b · length / average length)</c>.</summary>
    public float[] LengthTable(CollectionStatistics collection)
    {
        float avgdl = AvgFieldLength(collection);
        var cache = new float[256];
        for (int i = 0; i < cache.Length; i++)
            cache[i] = K1 * ((1 - B) + B * DecodeNormValue((byte)i) / avgdl);
        return cache;
    }

    /// <summary>One term's BM25: <c>weight · freq / (freq + cache[norm])</c>, or k1 in place of the table without norms.</summary>
    public sealed record TermWeight(float Value, float[] Cache, float K1)
    {
        public float Score(byte[]? norms, int doc, float freq) => Bm25.Score(Value, Cache, K1, norms, doc, freq);
    }

    /// <summary>The one place the formula is written: Lucene's float operations in Lucene's order (hot loops pass their locals).</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    public static float Score(float weight, float[] cache, float k1, byte[]? norms, int doc, float freq) =>
        Score(weight, freq, norms is null ? k1 : cache[norms[doc]]);

    /// <summary>The same with the length factor already looked up (<c>cache[norm]</c>, or k1 without norms).</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    public static float Score(float weight, float freq, float lengthFactor) => weight * freq / (freq + lengthFactor);
}
