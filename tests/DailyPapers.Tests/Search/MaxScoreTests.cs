using System.Text.Json;
using DailyPapers.Search;
using DailyPapers.Tests.Support;
using Lucene.Net.Search;

namespace DailyPapers.Tests.Search;

/// <summary>
/// The MaxScore path must give what Lucene's own exhaustive BM25 search gives: the same papers, in the same order,
/// with the same scores — on real abstracts, several segments, deleted documents and filters.
/// </summary>
public sealed class MaxScoreTests : IDisposable
{
    private readonly string _dir = TestEnv.NewTempDir();
    private readonly KeywordIndex _index;
    private readonly List<IndexedPaper> _papers;

    public MaxScoreTests()
    {
        _index = KeywordIndex.Open(Path.Combine(_dir, "lucene"));
        _papers = File.ReadLines(TestEnv.Sample1000).Select((line, i) =>
        {
            using var doc = JsonDocument.Parse(line);
            var r = doc.RootElement;
            return new IndexedPaper(i + 1, r.GetProperty("title").GetString()!, r.GetProperty("abstract").GetString()!,
                r.GetProperty("authors").GetString()!, r.GetProperty("categories").GetString()!, new DateOnly(2015, 1, 1).AddDays(i % 300), i + 1);
        }).ToList();
    }

    private async Task IndexInSegmentsAsync()
    {
        // Three commits (three segments), then every 20th paper again: their old copies become deleted documents,
        // spread through the first segments (not only at the start of a list, where a first skip would pass them all).
        foreach (var chunk in _papers.Chunk(400))
            await _index.ApplyAsync(chunk, chunk[^1].Sequence);
        await _index.ApplyAsync(_papers.Where((_, i) => i % 20 == 3).ToList(), _papers.Count);
        Assert.True(_index.SegmentCount > 1);
    }

    private IEnumerable<string> Queries() =>
        File.ReadLines(Path.Combine(TestEnv.SharedData, "queries", "search-queries-200.txt")).Where(q => q.Trim().Length > 0)
            .Concat(_papers.Where((_, i) => i % 10 == 0).Select(p => p.Title));

    [Theory]
    [InlineData(11, 4096, true)] // the product's windows: one per segment here, no per-window bounds, no kept postings
    [InlineData(6, 16, true)]    // 64-document windows, per-window bounds and kept postings for any term in 16 papers or more
    [InlineData(6, 16, false)]   // the same with every posting read through Lucene's enum
    [InlineData(6, 16, null)]    // a budget that runs out part way: some terms kept, the others read through the enum
    [InlineData(6, 16, true, 2, 2)]  // each segment searched in two parts at once (as a segment of a million papers is)
    [InlineData(6, 16, false, 2, 3)] // three parts, postings through Lucene's enum (one per part)
    [InlineData(6, 16, null, 1, 4)]  // four parts, some terms kept
    public async Task SameTopKAndScoresAsLuceneOnRealAbstracts(int windowBits, int windowBoundsFrom, bool? keepPostings, int splitFrom = 256, int parts = 0)
    {
        await IndexInSegmentsAsync();
        _index.Windows = new MaxScore.Windows(windowBits, windowBoundsFrom, keepPostings switch { true => 1L << 30, false => 0, null => 20_000 }, splitFrom, parts);
        int compared = 0, inexactTotals = 0;
        foreach (var text in Queries())
        {
            var query = KeywordQuery.Parse(text, _index.Analyzer, _index.Ranking);
            if (query is null || MaxScore.Flatten(query) is null) continue;
            foreach (var k in new[] { 1, 10, 100 })
            {
                var (fast, exact) = Both(query, k, null);
                AssertSameRanking(text, exact, fast);
                if (!fast.TotalIsExact) inexactTotals++;
                compared++;
            }
        }
        Assert.True(compared >= 600, $"only {compared} comparisons");
        Assert.True(inexactTotals > 0, "MaxScore never skipped anything: the test does not exercise pruning");
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task DeletedCopiesOfReindexedPapersNeverScore(bool keepPostings)
    {
        // Common words, all matches asked for: a deleted copy that scored would be a second hit for the same paper.
        await IndexInSegmentsAsync();
        _index.Windows = new MaxScore.Windows(6, 16, keepPostings ? 1L << 30 : 0);
        foreach (var text in new[] { "model", "the data", "results show", "we propose a method" })
        {
            var query = KeywordQuery.Parse(text, _index.Analyzer, _index.Ranking)!;
            var (fast, exact) = Both(query, _papers.Count, null);
            AssertSameRanking(text, exact, fast);
            Assert.Equal(fast.Hits.Count, fast.Hits.Select(h => h.PaperId).Distinct().Count());
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(2)] // in two parts a segment
    public async Task FiltersAdmitTheSameDocumentsWithoutChangingScores(int parts)
    {
        await IndexInSegmentsAsync();
        _index.Windows = new MaxScore.Windows(7, 32, SplitFrom: 2, Parts: parts);
        var filters = new[]
        {
            KeywordQuery.Filter(_index.Analyzer, "cs", null, null, null)!,
            KeywordQuery.Filter(_index.Analyzer, "math.ST", new DateOnly(2015, 3, 1), new DateOnly(2015, 9, 1), null)!,
            KeywordQuery.Filter(_index.Analyzer, null, null, null, "Airoldi")!,
        };
        foreach (var text in Queries().Take(120))
        {
            var query = KeywordQuery.Parse(text, _index.Analyzer, _index.Ranking);
            if (query is null) continue;
            foreach (var filter in filters)
            {
                var (fast, exact) = Both(query, 10, filter);
                AssertSameRanking(text, exact, fast);
            }
        }
    }

    [Fact]
    public void OnlyPlainOptionalTermsTakeTheMaxScorePath()
    {
        var analyzer = _index.Analyzer;
        Assert.NotNull(MaxScore.Flatten(KeywordQuery.Parse("graph neural networks", analyzer, _index.Ranking)!));
        Assert.Null(MaxScore.Flatten(KeywordQuery.Parse("\"graph neural\" networks", analyzer, _index.Ranking)!));
        Assert.Null(MaxScore.Flatten(KeywordQuery.Parse("+graph networks", analyzer, _index.Ranking)!));
        Assert.Null(MaxScore.Flatten(KeywordQuery.Parse("graph -neural", analyzer, _index.Ranking)!));
        // The same word twice is one term with twice the weight.
        var twice = MaxScore.Flatten(KeywordQuery.Parse("graph graph", analyzer, _index.Ranking)!)!;
        var once = MaxScore.Flatten(KeywordQuery.Parse("graph", analyzer, _index.Ranking)!)!;
        Assert.All(once, kv => Assert.Equal(2 * kv.Value, twice[kv.Key], 5));
    }

    [Fact]
    public async Task OwnBm25ArithmeticEqualsLucenesScorerBitForBit()
    {
        await IndexInSegmentsAsync();
        using var reader = Lucene.Net.Index.DirectoryReader.Open(Lucene.Net.Store.FSDirectory.Open(_index.Path));
        var searcher = new IndexSearcher(reader) { Similarity = _index.Similarity };
        var bm25 = (Bm25)_index.Similarity;
        int compared = 0;
        foreach (var (field, word, boost) in new[] { ("text", "graph", 1f), ("title", "model", 0.5f), ("abstract", "network", 1f), ("authors", "wang", 1f), ("text", "estim", 2.5f) })
        {
            var term = new Lucene.Net.Index.Term(field, word);
            var context = Lucene.Net.Index.TermContext.Build(searcher.TopReaderContext, term);
            Assert.True(context.DocFreq > 0, $"{field}:{word} is not in the sample");
            var lucene = bm25.ComputeWeight(boost, searcher.CollectionStatistics(field), searcher.TermStatistics(term, context));
            lucene.Normalize(1f, 1f);
            var ours = bm25.Weigh(boost, searcher.CollectionStatistics(field), searcher.TermStatistics(term, context));
            foreach (var leaf in reader.Leaves)
            {
                var scorer = bm25.GetSimScorer(lucene, leaf);
                var normValues = leaf.AtomicReader.GetNormValues(field)!;
                var norms = Enumerable.Range(0, leaf.AtomicReader.MaxDoc).Select(d => (byte)(normValues.Get(d) & 0xFF)).ToArray();
                var docs = leaf.AtomicReader.GetTermDocsEnum(term);
                if (docs is null) continue;
                int doc;
                while ((doc = docs.NextDoc()) != DocIdSetIterator.NO_MORE_DOCS)
                {
                    Assert.Equal(BitConverter.SingleToInt32Bits(scorer.Score(doc, docs.Freq)), BitConverter.SingleToInt32Bits(ours.Score(norms, doc, docs.Freq)));
                    compared++;
                }
            }
        }
        Assert.True(compared > 500, $"only {compared} postings compared");
    }

    [Fact]
    public void LargerNormBytesAreShorterFields()
    {
        // The kept score bounds rely on it: see MaxScore.ComputeBounds.
        var norms = new Norms();
        for (int b = 1; b < 256; b++)
            Assert.True(norms.Length((byte)b) <= norms.Length((byte)(b - 1)), $"norm byte {b}");
        Assert.True(norms.Length(200) < norms.Length(100));
    }

    private sealed class Norms : Lucene.Net.Search.Similarities.BM25Similarity
    {
        public float Length(byte b) => DecodeNormValue(b);
    }

    [Fact]
    public async Task CommonTermsGetWindowBoundsThatHoldForEveryPosting()
    {
        // 5,000 short documents where "graph" is common: it gets per-window bounds, and no posting scores above them.
        var papers = Enumerable.Range(1, 5000).Select(i => new IndexedPaper(i, $"graph study {i}",
            string.Join(' ', Enumerable.Repeat("graph", 1 + i % 7)) + $" with {i % 13} filler words " + string.Join(' ', Enumerable.Repeat("x", i % 29)),
            "A. Author", "cs.LG", new DateOnly(2020, 1, 1), i)).ToList();
        await _index.ApplyAsync(papers, papers.Count);
        var query = KeywordQuery.Parse("graph", _index.Analyzer, _index.Ranking)!;
        var (fast, exact) = Both(query, 10, null);
        AssertSameRanking("graph", exact, fast);
        var all = Both(query, 5000, null);
        AssertSameRanking("graph (all)", all.Exact, all.Fast);
    }

    /// <summary>The product's search, and Lucene's own exhaustive search of the same query on a reader of the same index.</summary>
    private (KeywordHits Fast, KeywordHits Exact) Both(Query query, int k, Query? filter)
    {
        var fast = _index.Search(query, k, filter);
        using var reader = Lucene.Net.Index.DirectoryReader.Open(Lucene.Net.Store.FSDirectory.Open(_index.Path));
        var searcher = new IndexSearcher(reader) { Similarity = _index.Similarity };
        var top = searcher.Search(KeywordQuery.Restrict(query, filter), k);
        var hits = top.ScoreDocs.Select(sd => (KeywordIndex.PaperIdOf(reader.Leaves, sd.Doc), sd.Score)).ToList();
        return (fast, new KeywordHits(hits, top.TotalHits, true));
    }

    private static void AssertSameRanking(string query, KeywordHits exact, KeywordHits fast)
    {
        Assert.True(exact.Hits.Count == fast.Hits.Count, $"'{query}': {fast.Hits.Count} hits, Lucene {exact.Hits.Count}");
        for (int i = 0; i < exact.Hits.Count; i++)
        {
            var (e, f) = (exact.Hits[i], fast.Hits[i]);
            Assert.True(Math.Abs(e.Score - f.Score) <= 1e-4f * Math.Max(1, e.Score), $"'{query}' rank {i + 1}: score {f.Score}, Lucene {e.Score}");
        }
        // Papers can only trade places with papers of the same score (summed in another order); above the last
        // score, the same papers.
        if (exact.Hits.Count > 0)
        {
            float cut = exact.Hits[^1].Score * (1 + 1e-4f) + 1e-4f;
            Assert.Equal(exact.Hits.Where(h => h.Score > cut).Select(h => h.PaperId).Order(), fast.Hits.Where(h => h.Score > cut).Select(h => h.PaperId).Order());
        }
        if (fast.TotalIsExact) Assert.Equal(exact.Total, fast.Total);
        else Assert.InRange(fast.Total, Math.Min(exact.Total, fast.Hits.Count), exact.Total);
    }

    public void Dispose()
    {
        _index.Dispose();
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }
}
