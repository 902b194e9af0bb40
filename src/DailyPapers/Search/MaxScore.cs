using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Lucene.Net.Index;
using Lucene.Net.Search;
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
    public static (List<(int Doc, float Score)> Hits, int Total, bool TotalIsExact) Search(IndexSearcher searcher, IReadOnlyDictionary<Term, float> terms, int k,
        Filter? filter = null, Windows? windows = null)
    {
        var win = windows ?? Windows.Default;
        var similarity = searcher.Similarity as Bm25
            ?? throw new InvalidOperationException("MaxScore scores with the index's Bm25 similarity.");
        var top = searcher.TopReaderContext;
        var leaves = searcher.IndexReader.Leaves;
        var weighted = new List<(Term Term, TermContext Context, Bm25.TermWeight Weight)>(terms.Count);
        // One terms enumerator per field and segment, and one statistics lookup and length table per field, for all
        // the query's terms (what TermContext.Build does, without a new enumerator per term).
        var enums = new Dictionary<(int Leaf, string Field), TermsEnum?>();
        var fieldStats = new Dictionary<string, (CollectionStatistics Collection, float[] LengthTable)>();
        int maxDf = 0;
        foreach (var (term, boost) in terms)
        {
            if (boost <= 0) continue;
            var context = new TermContext(top);
            foreach (var leaf in leaves)
            {
                if (!enums.TryGetValue((leaf.Ord, term.Field), out var te))
                    enums[(leaf.Ord, term.Field)] = te = leaf.AtomicReader.GetTerms(term.Field)?.GetEnumerator();
                if (te is not null && te.SeekExact(term.Bytes))
                    context.Register(te.GetTermState(), leaf.Ord, te.DocFreq, te.TotalTermFreq);
            }
            if (context.DocFreq == 0) continue;
            if (!fieldStats.TryGetValue(term.Field, out var field))
            {
                var collection = searcher.CollectionStatistics(term.Field);
                fieldStats[term.Field] = field = (collection, similarity.LengthTable(collection));
            }
            // BM25 in Lucene 4.8 has query norm 1 and no coordination: the boosts are the whole query weighting.
            weighted.Add((term, context, similarity.Weigh(boost, field.LengthTable, field.Collection, searcher.TermStatistics(term, context))));
            maxDf = Math.Max(maxDf, context.DocFreq);
        }

        var heap = new TopK(Math.Max(1, k));
        int matched = 0;
        bool pruned = false;
        foreach (var leaf in leaves)
        {
            var reader = leaf.AtomicReader;
            if (!weighted.Exists(t => t.Context.Get(leaf.Ord) is not null)) continue;
            var admit = filter is null ? null : Admitted(filter, leaf);
            if (filter is not null && admit is null) continue;
            int windowCount = (int)((reader.MaxDoc + (1L << win.Bits) - 1) >> win.Bits);
            int parts = win.Parts > 1 && windowCount >= win.SplitFrom ? win.Parts : 1;
            if (parts == 1)
            {
                var (m, p) = SearchLeaf(Clauses(leaf, weighted, win, enums), leaf.DocBase, 0, windowCount, heap, admit, win);
                matched += m;
                pruned |= p;
                continue;
            }
            // A big segment is searched in parts, one per core, each over its own range of windows with its own lists
            // and its own top k; the parts' best then go into the heap in document order, so ties still go to the
            // lower document as Lucene orders them. Parallel.For runs parts on the calling thread when no other is free.
            var results = new (int Matched, bool Pruned, List<(int Doc, float Score)> Best)[parts];
            Parallel.For(0, parts, part =>
            {
                int from = (int)((long)windowCount * part / parts), to = (int)((long)windowCount * (part + 1) / parts);
                var own = new TopK(Math.Max(1, k));
                var (m, p) = SearchLeaf(Clauses(leaf, weighted, win, null), leaf.DocBase, from, to, own, admit, win);
                results[part] = (m, p, own.BestFirst());
            });
            foreach (var (m, p, best) in results)
            {
                matched += m;
                pruned |= p;
                best.Sort((a, b) => a.Doc.CompareTo(b.Doc));
                foreach (var (doc, score) in best) heap.Offer(doc, score);
            }
        }
        // Skipped documents are not counted; the largest document frequency is still a floor (deleted documents aside).
        bool dfIsFloor = filter is null && !searcher.IndexReader.HasDeletions;
        return (heap.BestFirst(), pruned && dfIsFloor ? Math.Max(matched, maxDf) : matched, !pruned);
    }

    /// <summary>The query's lists in one segment; with <paramref name="enums"/> null, on terms enumerators of their own (a part of a split segment).</summary>
    private static List<Clause> Clauses(AtomicReaderContext leaf, List<(Term Term, TermContext Context, Bm25.TermWeight Weight)> weighted, Windows win,
        Dictionary<(int Leaf, string Field), TermsEnum?>? enums)
    {
        var reader = leaf.AtomicReader;
        var own = enums is null ? new Dictionary<string, TermsEnum?>() : null;
        var clauses = new List<Clause>(weighted.Count);
        foreach (var (term, context, weight) in weighted)
        {
            var state = context.Get(leaf.Ord);
            if (state is null) continue;
            var bounds = Bounds(reader, term, win);
            DocsEnum? docs = null;
            if (bounds.Postings is null)
            {
                TermsEnum termsEnum;
                if (enums is not null) termsEnum = enums[(leaf.Ord, term.Field)]!;
                else if (!own!.TryGetValue(term.Field, out var te) || te is null) own[term.Field] = termsEnum = reader.GetTerms(term.Field)!.GetEnumerator();
                else termsEnum = te;
                termsEnum.SeekExact(term.Bytes, state);
                docs = termsEnum.Docs(reader.LiveDocs, null, DocsFlags.FREQS);
            }
            clauses.Add(new Clause(docs, reader.LiveDocs, weight, Norms(reader, term.Field), bounds));
        }
        return clauses;
    }

    /// <summary>
    /// One term's postings in one segment: read through Lucene's <see cref="DocsEnum"/>, or from the decoded arrays
    /// kept with the term's bounds (common terms; deleted documents are skipped here, as the enum would).
    /// </summary>
    private sealed class Clause
    {
        public readonly DocsEnum? Docs;
        public readonly int[]? KeptDocs;
        public readonly byte[]? KeptFreqs;
        /// <summary>Each kept posting's length norm (null when the field has none).</summary>
        public readonly byte[]? KeptNorms;
        public readonly IBits? Live;
        public readonly float Weight, K1;
        public readonly float[] Cache;
        public readonly byte[]? Norms;
        /// <summary>The most this term adds to any document of the segment.</summary>
        public readonly float Bound;
        /// <summary>The most it adds to a document of each window, for terms common enough to have them.</summary>
        public readonly float[]? WindowBounds;
        public int Doc = -1;
        /// <summary>Index of <see cref="Doc"/> in the kept arrays.</summary>
        public int Pos;

        public Clause(DocsEnum? docs, IBits? live, Bm25.TermWeight weight, byte[]? norms, TermBounds bounds)
        {
            Docs = docs;
            if (bounds.Postings is { } kept) (KeptDocs, KeptFreqs, KeptNorms, Live) = (kept.Docs, kept.Freqs, kept.Norms, live);
            (Weight, Cache, K1, Norms) = (weight.Value, weight.Cache, weight.K1, norms);
            // The bounds are a function of the weight and the length table alone: the last ones are kept with the
            // term's bounds (read-only, shared) while those stay the same (until the collection statistics change).
            if (bounds.LastScored is { } last && last.Weight == Weight && last.K1 == K1 && last.Cache.AsSpan().SequenceEqual(Cache))
            {
                (Bound, WindowBounds) = (last.Bound, last.WindowBounds);
                return;
            }
            Bound = Max(bounds.Global, 0, bounds.Global.Length);
            if (bounds.WindowOffsets is { } offsets)
            {
                WindowBounds = new float[offsets.Length - 1];
                for (int w = 0; w < WindowBounds.Length; w++)
                    WindowBounds[w] = Max(bounds.WindowEntries!, offsets[w], offsets[w + 1]);
            }
            bounds.LastScored = new ScoredBounds(Weight, K1, Cache, Bound, WindowBounds);
        }

        private float Max((int Doc, int Freq)[] entries, int from, int to)
        {
            float max = 0;
            for (int i = from; i < to; i++) max = Math.Max(max, Score(entries[i].Doc, entries[i].Freq));
            return max;
        }

        public float Score(int doc, float freq) => Bm25.Score(Weight, Cache, K1, Norms, doc, freq);

        /// <summary>The current document's frequency.</summary>
        public float Freq => KeptFreqs is { } f ? f[Pos] : Docs!.Freq;

        /// <summary>The term's score in the current document.</summary>
        public float CurrentScore() => KeptFreqs is { } f
            ? Bm25.Score(Weight, f[Pos], KeptNorms is { } n ? Cache[n[Pos]] : K1)
            : Score(Doc, Docs!.Freq);

        /// <summary>Moves to the first live document at or after <paramref name="target"/> (never backwards).</summary>
        public int Advance(int target)
        {
            if (KeptDocs is not { } docs) return Doc = Docs!.Advance(target);
            int i = Pos < 0 ? 0 : Pos;
            if (i < docs.Length && docs[i] < target)
            {
                // Gallop, then binary search: targets are usually near.
                int step = 1, lo = i, hi = i + 1;
                while (hi < docs.Length && docs[hi] < target) { lo = hi; step <<= 1; hi = lo + step; }
                hi = Math.Min(hi, docs.Length);
                while (lo < hi) { int mid = (lo + hi) >>> 1; if (docs[mid] < target) lo = mid + 1; else hi = mid; }
                i = lo;
            }
            return MoveTo(i);
        }

        /// <summary>Makes the first live kept posting at or after index <paramref name="i"/> the current one; returns its document.</summary>
        public int MoveTo(int i)
        {
            var docs = KeptDocs!;
            if (Live is { } live) while (i < docs.Length && !live.Get(docs[i])) i++;
            Pos = i;
            return Doc = i < docs.Length ? docs[i] : DocIdSetIterator.NO_MORE_DOCS;
        }
    }

    /// <summary>
    /// Postings are accumulated a window of 2^<paramref name="Bits"/> documents at a time, and a window is skipped
    /// whole when its bounds cannot beat the top k; terms in at least <paramref name="BoundsFrom"/> documents of a
    /// segment keep a bound per window (the others one per segment).
    /// </summary>
    /// <remarks>
    /// The postings of those common terms are also kept decoded (doc ids, frequencies and length norms, 6 bytes a posting) with
    /// their bounds, up to <paramref name="KeptPostingsBytes"/> per segment; reading them from Lucene's blocks was a
    /// fifth of the time of a query (docs/benchmarks.md).
    /// <para>
    /// A segment of <paramref name="SplitFrom"/> windows or more (256 × 2,048 = half a million papers) is searched in
    /// <paramref name="Parts"/> parts at once, one per core: on the full snapshot (one segment of 229 k) nothing changes;
    /// at a million papers and more the parts keep a single query's time near what a smaller index gives.
    /// </para>
    /// </remarks>
    public sealed record Windows(int Bits = 11, int BoundsFrom = 4096, long KeptPostingsBytes = 96L << 20, int SplitFrom = 256, int Parts = 0)
    {
        public static readonly Windows Default = new(Parts: Math.Min(Environment.ProcessorCount, 4));
    }

    /// <summary>
    /// Relative slack on every "cannot beat the threshold" test: the bounds and partial sums are float sums added in
    /// another order than the document's own score, so they can round a few ulps below it. 1e-5 is about 80 ulps —
    /// far above any rounding of a sum of a few dozen terms, far below a score difference that changes a ranking —
    /// so a document that ties or beats the k-th best is never pruned (<c>MaxScoreTests</c> compares with Lucene).
    /// </summary>
    private const float Slack = 1 + 1e-5f;

    /// <summary>Scores the windows of one segment into the heap.</summary>
    private static (int Matched, bool Pruned) SearchLeaf(List<Clause> list, int docBase, int firstWindow, int windowCount, TopK heap, FixedBitSet? admit, Windows windows)
    {
        float Threshold() => heap.IsFull ? heap.Threshold : float.NegativeInfinity;
        int WindowBits = windows.Bits, Window = 1 << WindowBits;
        var clauses = list.ToArray();
        int n = clauses.Length;
        float globalSum = 0;
        foreach (var c in clauses) globalSum += c.Bound;
        var bound = new float[n];
        var order = new int[n];
        var upTo = new float[n];
        var scores = new float[Window];
        var touched = new ulong[Window / 64];
        int matched = 0;
        bool pruned = false;

        for (int w = firstWindow; w < windowCount; w++)
        {
            int start = w << WindowBits;
            if (globalSum * Slack <= Threshold()) { pruned = true; break; }
            int end = start + Window;
            // This window's bound of each term: from its window bounds (common terms), else its global bound if its
            // (short) list has a posting here. Lists are only moved forward when they are read.
            for (int i = 0; i < n; i++)
            {
                var c = clauses[i];
                if (c.WindowBounds is { } wb) bound[i] = w < wb.Length ? wb[w] : 0;
                else
                {
                    if (c.Doc < start) c.Advance(start);
                    bound[i] = c.Doc < end ? c.Bound : 0;
                }
            }
            float sum = 0;
            for (int i = 0; i < n; i++) { sum += bound[i]; order[i] = i; }
            if (sum == 0) continue;
            float threshold = Threshold();
            if (sum * Slack <= threshold) { pruned = true; continue; }

            Array.Sort(bound, order, 0, n); // ascending: the first ones are the non-essential candidates
            float running = 0;
            for (int i = 0; i < n; i++) { running += bound[i]; upTo[i] = running * Slack; }
            int firstEssential = 0;
            while (firstEssential < n && upTo[firstEssential] <= threshold) firstEssential++;
            if (firstEssential > 0) pruned = true;

            // Every essential list's postings in [start, end), one list at a time.
            bool any = false;
            for (int j = firstEssential; j < n; j++)
            {
                if (bound[j] == 0) continue;
                var c = clauses[order[j]];
                var norms = c.Norms;
                var cache = c.Cache;
                float weight = c.Weight, k1 = c.K1;
                int doc = c.Doc < start ? c.Advance(start) : c.Doc;
                if (c.KeptDocs is { } kept)
                {
                    var freqs = c.KeptFreqs!;
                    var keptNorms = c.KeptNorms;
                    var live = c.Live;
                    int i = c.Pos;
                    for (; i < kept.Length && (doc = kept[i]) < end; i++)
                    {
                        if (live is not null && !live.Get(doc)) continue;
                        int slot = doc - start;
                        scores[slot] += Bm25.Score(weight, freqs[i], keptNorms is null ? k1 : cache[keptNorms[i]]);
                        touched[slot >> 6] |= 1UL << slot;
                        any = true;
                    }
                    c.MoveTo(i);
                    continue;
                }
                var docs = c.Docs!;
                while (doc < end)
                {
                    int slot = doc - start;
                    float freq = docs.Freq;
                    scores[slot] += Bm25.Score(weight, cache, k1, norms, doc, freq);
                    touched[slot >> 6] |= 1UL << slot;
                    doc = docs.NextDoc();
                    any = true;
                }
                c.Doc = doc;
            }
            if (!any) continue;

            // Then each touched document in order: the non-essential lists only while they can still lift it.
            for (int t = 0; t < touched.Length; t++)
            {
                ulong bits = touched[t];
                if (bits == 0) continue;
                touched[t] = 0;
                while (bits != 0)
                {
                    int slot = (t << 6) + System.Numerics.BitOperations.TrailingZeroCount(bits);
                    bits &= bits - 1;
                    float score = scores[slot];
                    scores[slot] = 0;
                    int doc = start + slot;
                    if (admit is not null && !admit.Get(doc)) continue;
                    matched++;
                    bool skipped = false;
                    for (int j = firstEssential - 1; j >= 0; j--)
                    {
                        if (score + upTo[j] <= threshold) { skipped = true; break; }
                        if (bound[j] == 0) continue;
                        var c = clauses[order[j]];
                        if (c.Doc < doc) c.Advance(doc);
                        if (c.Doc == doc) score += c.CurrentScore();
                    }
                    if (skipped) continue;
                    heap.Offer(docBase + doc, score);
                    threshold = Threshold();
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
    /// What bounds a term's score in one segment, independent of the collection statistics (which change as papers
    /// are added): the (doc, frequency) pairs no other posting beats on both frequency and shortness, for the whole
    /// segment and, for common terms, per window. Kept per segment core, so a refresh that only adds segments or
    /// deletes documents keeps them (deleted documents only make a bound looser).
    /// </summary>
    internal sealed record TermBounds((int Doc, int Freq)[] Global, int[]? WindowOffsets, (int Doc, int Freq)[]? WindowEntries, KeptPostings? Postings = null)
    {
        /// <summary>The score bounds last computed from these, with the weight they were computed for (replaced whole, never changed).</summary>
        public volatile ScoredBounds? LastScored;
    }

    internal sealed record ScoredBounds(float Weight, float K1, float[] Cache, float Bound, float[]? WindowBounds);

    /// <summary>A common term's postings in one segment, deleted documents included (they are skipped when read).</summary>
    internal sealed record KeptPostings(int[] Docs, byte[] Freqs, byte[]? Norms);

    /// <summary>Bytes of kept postings per segment core.</summary>
    private static readonly ConditionalWeakTable<object, StrongBox<long>> KeptBytes = new();

    private static readonly ConditionalWeakTable<object, ConcurrentDictionary<(Term, Windows), TermBounds>> Kept = new();
    private static readonly ConditionalWeakTable<object, ConcurrentDictionary<string, byte[]?>> NormBytes = new();

    /// <summary>A field's stored length norms of one segment as plain bytes (read once per segment core).</summary>
    private static byte[]? Norms(AtomicReader reader, string field) =>
        NormBytes.GetValue(reader.CoreCacheKey, _ => new ConcurrentDictionary<string, byte[]?>()).GetOrAdd(field, f =>
        {
            var values = reader.GetNormValues(f);
            if (values is null) return null;
            var bytes = new byte[reader.MaxDoc];
            for (int doc = 0; doc < bytes.Length; doc++) bytes[doc] = (byte)(values.Get(doc) & 0xFF);
            return bytes;
        });

    /// <summary>
    /// Terms whose bounds one segment keeps before it forgets them all and starts over: a cap on memory for servers
    /// that see endless distinct words (a bound is a few dozen bytes; half a million is tens of MB at most).
    /// </summary>
    private const int MaxKeptTermsPerSegment = 500_000;

    private static TermBounds Bounds(AtomicReader reader, Term term, Windows windows)
    {
        var kept = Kept.GetValue(reader.CoreCacheKey, _ => new ConcurrentDictionary<(Term, Windows), TermBounds>());
        if (!kept.TryGetValue((term, windows), out var bounds))
        {
            var used = KeptBytes.GetValue(reader.CoreCacheKey, _ => new StrongBox<long>());
            if (kept.Count >= MaxKeptTermsPerSegment) { kept.Clear(); Interlocked.Exchange(ref used.Value, 0); }
            bounds = ComputeBounds(reader, term, windows, used);
            kept[(term, windows)] = bounds;
        }
        return bounds;
    }

    /// <remarks>
    /// BM25 grows with the frequency and with the stored norm byte (a larger byte is a shorter field:
    /// <c>MaxScoreTests.LargerNormBytesAreShorterFields</c>), so per norm byte only the largest frequency matters,
    /// and of those only the ones whose frequency beats every shorter field's.
    /// </remarks>
    internal static TermBounds ComputeBounds(AtomicReader reader, Term term, Windows windowing, StrongBox<long>? keptBytes = null)
    {
        int WindowBits = windowing.Bits;
        var termsEnum = reader.GetTerms(term.Field)?.GetEnumerator();
        if (termsEnum is null || !termsEnum.SeekExact(term.Bytes)) return new TermBounds([], null, null);
        bool windows = termsEnum.DocFreq >= windowing.BoundsFrom;
        var docs = termsEnum.Docs(null, null, DocsFlags.FREQS);
        var norms = Norms(reader, term.Field);
        // Common terms keep their postings decoded while the segment's budget lasts (a frequency over 255: not kept).
        int df = termsEnum.DocFreq, n = 0;
        long size = (norms is null ? 5L : 6L) * df;
        bool keep = windows && keptBytes is not null && Interlocked.Add(ref keptBytes.Value, size) <= windowing.KeptPostingsBytes;
        if (windows && keptBytes is not null && !keep) Interlocked.Add(ref keptBytes.Value, -size);
        var keptDocs = keep ? new int[df] : null;
        var keptFreqs = keep ? new byte[df] : null;
        var keptNorms = keep && norms is not null ? new byte[df] : null;
        void Unkeep() // gives the postings up and their bytes back to the budget
        {
            (keptDocs, keptFreqs, keptNorms) = (null, null, null);
            Interlocked.Add(ref keptBytes!.Value, -size);
        }
        var global = new (int Doc, int Freq)[256];
        var local = new (int Doc, int Freq)[256];
        var offsets = windows ? new List<int> { 0 } : null;
        var entries = windows ? new List<(int, int)>() : null;
        int window = 0, doc;
        while ((doc = docs.NextDoc()) != DocIdSetIterator.NO_MORE_DOCS)
        {
            if (windows)
                while (doc >> WindowBits > window) { Pareto(local, entries!); offsets!.Add(entries!.Count); window++; }
            int norm = norms is null ? 0 : norms[doc];
            int freq = docs.Freq;
            if (keptDocs is not null)
            {
                if (freq > byte.MaxValue || n == keptDocs.Length) Unkeep();
                else
                {
                    keptDocs[n] = doc;
                    keptFreqs![n] = (byte)freq;
                    if (keptNorms is not null) keptNorms[n] = (byte)norm;
                    n++;
                }
            }
            if (freq > global[norm].Freq) global[norm] = (doc, freq);
            if (windows && freq > local[norm].Freq) local[norm] = (doc, freq);
        }
        if (windows) { Pareto(local, entries!); offsets!.Add(entries!.Count); }
        var all = new List<(int, int)>();
        Pareto(global, all);
        if (keptDocs is not null && n != keptDocs.Length) Unkeep();
        return new TermBounds(all.ToArray(), offsets?.ToArray(), entries?.ToArray(), keptDocs is null ? null : new KeptPostings(keptDocs, keptFreqs!, keptNorms));
    }

    /// <summary>Moves the undominated (doc, freq) pairs of a per-norm-byte table to the list and clears the table.</summary>
    private static void Pareto((int Doc, int Freq)[] byNorm, List<(int, int)> into)
    {
        int best = 0;
        for (int norm = 255; norm >= 0; norm--) // shortest fields first
        {
            var e = byNorm[norm];
            if (e.Freq > best) { into.Add(e); best = e.Freq; }
            byNorm[norm] = default;
        }
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
