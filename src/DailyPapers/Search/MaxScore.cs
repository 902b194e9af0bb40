using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Lucene.Net.Index;
using Lucene.Net.Search;
using Lucene.Net.Search.Similarities;
using Lucene.Net.Util;

namespace DailyPapers.Search;

/// <summary>
/// Top-k of a pure disjunction of terms (what an ordinary typed query becomes: every word in every field) by the
/// MaxScore algorithm, with exactly the scores Lucene's BM25 would give, without scoring every posting.
/// </summary>
/// <remarks>
/// Each term (a word in one field) has an upper bound on the score it can add to any document. Sorted by that bound,
/// the terms whose bounds together cannot lift a document above the current k-th best score are "non-essential":
/// documents are enumerated only from the other lists, and a non-essential list is only advanced (with its skip
/// list) to a candidate that can still make the top k. Long queries of common words — pasted paper titles — are
/// where Lucene.NET 4.8, which has no block-max WAND, scored hundreds of thousands of postings.
/// The bound of a term is computed from its postings once per index segment and kept (segments are immutable):
/// for each stored length norm the largest term frequency, so the bound is exact under the current statistics.
/// </remarks>
public static class MaxScore
{
    /// <summary>
    /// The terms and summed boosts of a query that is only optional terms (nested optional booleans allowed), or null
    /// when it has anything else: required or prohibited clauses, phrases, ranges, a minimum-should-match.
    /// BM25 in Lucene 4.8 has no coordination factor and no query norm, so such a query scores the sum of its terms.
    /// </summary>
    public static Dictionary<Term, float>? Flatten(Query query)
    {
        var terms = new Dictionary<Term, float>();
        return Collect(query, 1f, terms) && terms.Count > 0 ? terms : null;
    }

    private static bool Collect(Query q, float boost, Dictionary<Term, float> terms)
    {
        switch (q)
        {
            case TermQuery t:
                terms[t.Term] = terms.GetValueOrDefault(t.Term) + boost * t.Boost;
                return true;
            case BooleanQuery b when b.MinimumNumberShouldMatch == 0:
                foreach (var c in b.Clauses)
                    if (c.Occur != Occur.SHOULD || !Collect(c.Query, boost * b.Boost, terms)) return false;
                return true;
            default:
                return false;
        }
    }

    /// <summary>
    /// The best <paramref name="k"/> documents (top-level doc ids) with their scores, best first, ties by doc id as
    /// Lucene orders them; <paramref name="filter"/> admits documents without changing scores. The total is exact when
    /// nothing was skipped, else a lower bound.
    /// </summary>
    public static (List<(int Doc, float Score)> Hits, int Total, bool TotalIsExact) Search(IndexSearcher searcher, IReadOnlyDictionary<Term, float> terms, int k, Filter? filter = null)
    {
        var similarity = searcher.Similarity;
        var top = searcher.TopReaderContext;
        var weighted = new List<(Term Term, TermContext Context, Similarity.SimWeight Weight)>(terms.Count);
        int maxDf = 0;
        foreach (var (term, boost) in terms)
        {
            if (boost <= 0) continue;
            var context = TermContext.Build(top, term);
            if (context.DocFreq == 0) continue;
            var weight = similarity.ComputeWeight(boost, searcher.CollectionStatistics(term.Field), searcher.TermStatistics(term, context));
            weight.Normalize(1f, 1f); // BM25: query norm 1, boosts already folded into the weight
            weighted.Add((term, context, weight));
            maxDf = Math.Max(maxDf, context.DocFreq);
        }

        var heap = new TopK(Math.Max(1, k));
        int matched = 0;
        bool pruned = false;
        foreach (var leaf in searcher.IndexReader.Leaves)
        {
            var clauses = new List<Clause>(weighted.Count);
            foreach (var (term, context, weight) in weighted)
            {
                var state = context.Get(leaf.Ord);
                if (state is null) continue;
                var reader = leaf.AtomicReader;
                var termsEnum = reader.GetTerms(term.Field)!.GetEnumerator();
                termsEnum.SeekExact(term.Bytes, state);
                var sim = similarity.GetSimScorer(weight, leaf);
                float bound = Bound(reader, term, sim);
                clauses.Add(new Clause(termsEnum.Docs(reader.LiveDocs, null, DocsFlags.FREQS), sim, bound));
            }
            if (clauses.Count == 0) continue;
            var admit = filter is null ? null : Admitted(filter, leaf);
            if (filter is not null && admit is null) continue;
            (int m, bool p) = SearchLeaf(clauses, leaf.DocBase, heap, admit);
            matched += m;
            pruned |= p;
        }
        // Skipped documents are not counted; the largest document frequency is still a floor (deleted documents aside).
        bool dfIsFloor = filter is null && !searcher.IndexReader.HasDeletions;
        return (heap.BestFirst(), pruned && dfIsFloor ? Math.Max(matched, maxDf) : matched, !pruned);
    }

    private sealed class Clause(DocsEnum docs, Similarity.SimScorer scorer, float bound)
    {
        public readonly DocsEnum Docs = docs;
        public readonly Similarity.SimScorer Scorer = scorer;
        public readonly float Bound = bound;
        public int Doc = -1;
    }

    /// <summary>Documents per window of the essential lists' term-at-a-time accumulation (BooleanScorer's bulk idea).</summary>
    private const int Window = 2048;

    private static (int Matched, bool Pruned) SearchLeaf(List<Clause> list, int docBase, TopK heap, FixedBitSet? admit)
    {
        const int NoMore = DocIdSetIterator.NO_MORE_DOCS;
        var clauses = list.OrderBy(c => c.Bound).ToArray();
        int n = clauses.Length;
        // upTo[i]: the most clauses 0..i together can add (a hair more, for float rounding).
        var upTo = new float[n];
        float running = 0;
        for (int i = 0; i < n; i++) { running += clauses[i].Bound; upTo[i] = running * (1 + 1e-5f); }
        foreach (var c in clauses) c.Doc = c.Docs.NextDoc();

        var scores = new float[Window];
        var touched = new ulong[Window / 64];
        int firstEssential = 0, matched = 0;
        bool pruned = false;
        while (true)
        {
            if (heap.IsFull)
            {
                float threshold = heap.Threshold;
                while (firstEssential < n && upTo[firstEssential] <= threshold) firstEssential++;
                if (firstEssential > 0) pruned = true;
                if (firstEssential == n) break; // nothing left can enter the top k
            }
            int start = NoMore;
            for (int i = firstEssential; i < n; i++)
                if (clauses[i].Doc < start) start = clauses[i].Doc;
            if (start == NoMore) break;
            int end = start + Window;

            // Every essential list's postings in [start, end), one list at a time.
            for (int i = firstEssential; i < n; i++)
            {
                var c = clauses[i];
                var docs = c.Docs;
                var scorer = c.Scorer;
                int doc = c.Doc;
                while (doc < end)
                {
                    int slot = doc - start;
                    scores[slot] += scorer.Score(doc, docs.Freq);
                    touched[slot >> 6] |= 1UL << slot;
                    doc = docs.NextDoc();
                }
                c.Doc = doc;
            }

            // Then each touched document in order: the non-essential lists only while they can still lift it.
            for (int w = 0; w < touched.Length; w++)
            {
                ulong bits = touched[w];
                if (bits == 0) continue;
                touched[w] = 0;
                while (bits != 0)
                {
                    int slot = (w << 6) + System.Numerics.BitOperations.TrailingZeroCount(bits);
                    bits &= bits - 1;
                    float score = scores[slot];
                    scores[slot] = 0;
                    int doc = start + slot;
                    if (admit is not null && !admit.Get(doc)) continue;
                    matched++;
                    bool skipped = false;
                    for (int i = firstEssential - 1; i >= 0; i--)
                    {
                        if (heap.IsFull && score + upTo[i] <= heap.Threshold) { skipped = true; break; }
                        var c = clauses[i];
                        if (c.Doc < doc) c.Doc = c.Docs.Advance(doc);
                        if (c.Doc == doc) score += c.Scorer.Score(doc, c.Docs.Freq);
                    }
                    if (!skipped) heap.Offer(docBase + doc, score);
                }
            }
        }
        return (matched, pruned);
    }

    private static FixedBitSet? Admitted(Filter filter, AtomicReaderContext leaf)
    {
        var set = filter.GetDocIdSet(leaf, leaf.AtomicReader.LiveDocs);
        var it = set?.GetIterator();
        if (it is null) return null;
        var bits = new FixedBitSet(leaf.AtomicReader.MaxDoc);
        bits.Or(it);
        return bits;
    }

    /// <summary>
    /// For each length norm a term's postings have, the (doc, largest frequency) pair; per segment core, so a refresh
    /// that only adds segments or deletes documents keeps them (deleted documents only make a bound looser).
    /// </summary>
    private static readonly ConditionalWeakTable<object, ConcurrentDictionary<Term, (int Doc, int Freq)[]>> Frontiers = new();
    private const int MaxCachedTermsPerSegment = 500_000;

    /// <summary>Forgets every kept bound (benchmarks measure the first sight of terms).</summary>
    public static void ClearBounds() => Frontiers.Clear();

    private static float Bound(AtomicReader reader, Term term, Similarity.SimScorer sim)
    {
        var cache = Frontiers.GetValue(reader.CoreCacheKey, _ => new ConcurrentDictionary<Term, (int, int)[]>());
        if (!cache.TryGetValue(term, out var frontier))
        {
            frontier = Frontier(reader, term);
            if (cache.Count >= MaxCachedTermsPerSegment) cache.Clear();
            cache[term] = frontier;
        }
        float max = 0;
        foreach (var (doc, freq) in frontier) max = Math.Max(max, sim.Score(doc, freq));
        return max;
    }

    internal static (int Doc, int Freq)[] Frontier(AtomicReader reader, Term term)
    {
        var termsEnum = reader.GetTerms(term.Field)?.GetEnumerator();
        if (termsEnum is null || !termsEnum.SeekExact(term.Bytes)) return [];
        var docs = termsEnum.Docs(null, null, DocsFlags.FREQS);
        var norms = reader.GetNormValues(term.Field);
        var best = new (int Doc, int Freq)[256];
        var seen = new bool[256];
        int doc;
        while ((doc = docs.NextDoc()) != DocIdSetIterator.NO_MORE_DOCS)
        {
            int norm = norms is null ? 0 : (int)(norms.Get(doc) & 0xFF);
            int freq = docs.Freq;
            if (!seen[norm] || freq > best[norm].Freq) { best[norm] = (doc, freq); seen[norm] = true; }
        }
        var result = new List<(int, int)>();
        for (int i = 0; i < 256; i++) if (seen[i]) result.Add(best[i]);
        return result.ToArray();
    }

    /// <summary>The k best (doc, score) so far: a min-heap whose root is the score to beat; ties keep the lower doc id.</summary>
    private sealed class TopK(int k)
    {
        private readonly PriorityQueue<int, (float Score, int Doc)> _heap = new(k + 1, Comparer<(float Score, int Doc)>.Create((a, b) =>
            a.Score != b.Score ? a.Score.CompareTo(b.Score) : b.Doc.CompareTo(a.Doc)));

        public bool IsFull => _heap.Count >= k;

        public float Threshold => _heap.TryPeek(out _, out var p) ? p.Score : float.NegativeInfinity;

        public void Offer(int doc, float score)
        {
            if (_heap.Count < k) _heap.Enqueue(doc, (score, doc));
            else if (score > Threshold) _heap.EnqueueDequeue(doc, (score, doc));
        }

        public List<(int Doc, float Score)> BestFirst()
        {
            var list = new List<(int, float)>(_heap.Count);
            while (_heap.TryDequeue(out var doc, out var p)) list.Add((doc, p.Score));
            list.Reverse();
            return list;
        }
    }
}
