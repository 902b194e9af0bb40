using System.Data.Common;
using System.Globalization;
using DailyPapers.Data;
using Lucene.Net.Analysis;
using Lucene.Net.Documents;
using Lucene.Net.Index;
using Lucene.Net.Search;
using Lucene.Net.Search.Similarities;
using Lucene.Net.Store;
using Directory = System.IO.Directory;

namespace DailyPapers.Search;

/// <summary>BM25 parameters and field weights; the defaults are the values tuned on the training collections (docs/benchmarks.md).</summary>
/// <remarks>
/// A boost of 0 leaves that field out of unfielded queries; <c>text</c> is title and abstract as one field (one length
/// norm). The abstract alone is out by default: next to <c>text</c> it changed hybrid nDCG@10 by −0.002 to +0.002 on
/// the training collections while a third of a query's postings were its own (keyword p95 −20 %). It stays indexed
/// for <c>abstract:</c> queries.
/// </remarks>
public sealed record KeywordRanking(float K1 = 1.2f, float B = 0.75f, float TitleBoost = 0.5f, float AbstractBoost = 0f, float AuthorsBoost = 1.0f, float TextBoost = 1.0f)
{
    public static readonly KeywordRanking Default = new();
}

/// <summary>A paper as the keyword index sees it.</summary>
public sealed record IndexedPaper(long Id, string Title, string Abstract, string Authors, string Categories, DateOnly ListingDate, long Sequence);

/// <summary>
/// The Lucene index under the data dir: derived from the database, followed by sequence number, rebuildable.
/// The last applied <c>papers.Sequence</c> is stored in the Lucene commit itself, so the index and its
/// position can never disagree after a crash.
/// </summary>
public sealed class KeywordIndex : IDisposable
{
    private const string SequenceKey = "sequence", SchemaKey = "schema";

    private readonly FSDirectory _dir;
    private readonly IndexWriter _writer;
    private readonly SearcherManager _searchers;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly FileStream _processLock;
    public Analyzer Analyzer { get; }
    public KeywordRanking Ranking { get; }
    public Similarity Similarity { get; }
    public string Path { get; }

    /// <summary>The highest <c>papers.Sequence</c> whose change is committed to the index.</summary>
    public long AppliedSequence { get; private set; }

    private KeywordIndex(string path, KeywordRanking ranking)
    {
        Path = path;
        Ranking = ranking;
        Analyzer = SearchAnalysis.Create();
        Similarity = new Bm25(ranking.K1, ranking.B);
        Directory.CreateDirectory(path);
        _processLock = LockProcess(path);
        _dir = FSDirectory.Open(path);
        try
        {
            _writer = new IndexWriter(_dir, new IndexWriterConfig(SearchAnalysis.Version, Analyzer)
            {
                OpenMode = OpenMode.CREATE_OR_APPEND,
                Similarity = Similarity,
                RAMBufferSizeMB = 64,
            });
        }
        catch (LockObtainFailedException)
        {
            _dir.Dispose();
            _processLock.Dispose();
            throw new SearchIndexBusyException(path);
        }
        var data = _writer.CommitData;
        if (data is not null && data.TryGetValue(SchemaKey, out var schema) && schema == SearchAnalysis.Schema
            && data.TryGetValue(SequenceKey, out var seq))
            AppliedSequence = long.Parse(seq, CultureInfo.InvariantCulture);
        else if (_writer.NumDocs > 0)
            _writer.DeleteAll(); // built by another schema: start over from the database
        _searchers = new SearcherManager(_writer, true, new BM25SearcherFactory(Similarity));
    }

    /// <summary>
    /// Lucene's own write lock keeps out a second writer in this process only: two processes (a server and a
    /// <c>reindex</c>, or two <c>reindex</c>) both opened the index and one crashed with "read past EOF" or a missing
    /// segment file. <c>FileShare.None</c> is an exclusive flock on Unix (a share lock on Windows), held until Dispose.
    /// </summary>
    private static FileStream LockProcess(string path)
    {
        try
        {
            return new FileStream(path.TrimEnd('/', '\\') + ".lock", FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.None);
        }
        catch (IOException)
        {
            throw new SearchIndexBusyException(path);
        }
    }

    /// <summary>Opens (or creates) the index of a data dir.</summary>
    public static KeywordIndex Open(DatabaseSettings db, KeywordRanking? ranking = null) =>
        new(IndexPath(db), ranking ?? KeywordRanking.Default);

    public static KeywordIndex Open(string path, KeywordRanking? ranking = null) => new(path, ranking ?? KeywordRanking.Default);

    public static string IndexPath(DatabaseSettings db) => System.IO.Path.Combine(db.DataDir, "search", "lucene");

    /// <summary>Papers visible to searches (committed and refreshed).</summary>
    public int DocumentCount
    {
        get
        {
            var searcher = _searchers.Acquire();
            try { return searcher.IndexReader.NumDocs; }
            finally { _searchers.Release(searcher); }
        }
    }

    /// <summary>Adds or replaces papers and commits them together with the new applied sequence.</summary>
    public Task ApplyAsync(IReadOnlyList<IndexedPaper> papers, long appliedSequence, CancellationToken ct = default) =>
        ApplyAsync(papers, appliedSequence, null, ct);

    private async Task ApplyAsync(IReadOnlyList<IndexedPaper> papers, long appliedSequence, CallThreads? threads, CancellationToken ct)
    {
        await _writeLock.WaitAsync(ct);
        try
        {
            if (threads is null)
                foreach (var p in papers) Update(p);
            else
            {
                // IndexWriter takes documents from several threads at once (one in-memory segment each): analysis,
                // the bulk of the work, then runs on every core. The commit below waits for all of them.
                int next = -1;
                threads.Run(BuildThreads, () =>
                {
                    for (int i; (i = Interlocked.Increment(ref next)) < papers.Count;)
                    {
                        if ((i & 1023) == 0) ct.ThrowIfCancellationRequested();
                        Update(papers[i]);
                    }
                });
            }
            CommitLocked(Math.Max(AppliedSequence, appliedSequence));
        }
        finally { _writeLock.Release(); }
        _searchers.MaybeRefreshBlocking();
    }

    private void Update(IndexedPaper p) =>
        _writer.UpdateDocument(new Term(SearchAnalysis.PaperKey, p.Id.ToString(CultureInfo.InvariantCulture)), ToDocument(p));

    /// <summary>Number of index segments (each query looks every term up in each one).</summary>
    public int SegmentCount
    {
        get
        {
            var searcher = _searchers.Acquire();
            try { return searcher.IndexReader.Leaves.Count; }
            finally { _searchers.Release(searcher); }
        }
    }

    /// <summary>Merges the index into one segment: after a full rebuild, when the index will mostly be read.</summary>
    public async Task MergeAsync(CancellationToken ct = default)
    {
        await _writeLock.WaitAsync(ct);
        try
        {
            _writer.ForceMerge(1);
            CommitLocked(AppliedSequence);
        }
        finally { _writeLock.Release(); }
        _searchers.MaybeRefreshBlocking();
    }

    /// <summary>Forgets everything; searches keep seeing the old documents until the rebuild commits.</summary>
    public async Task ResetAsync(CancellationToken ct = default)
    {
        await _writeLock.WaitAsync(ct);
        try
        {
            _writer.DeleteAll();
            AppliedSequence = 0;
        }
        finally { _writeLock.Release(); }
    }

    private void CommitLocked(long sequence)
    {
        _writer.SetCommitData(new Dictionary<string, string>
        {
            [SequenceKey] = sequence.ToString(CultureInfo.InvariantCulture),
            [SchemaKey] = SearchAnalysis.Schema,
        });
        _writer.Commit();
        AppliedSequence = sequence;
    }

    [ThreadStatic] private static ThreadReuse? _reuse;

    /// <summary>
    /// One indexing thread's document parts, filled anew for each paper. Lucene gives each new field a new token stream,
    /// and each new token stream looks its attributes up in a factory under a lock: with fresh fields per paper that
    /// was half of a profiled bulk build and what kept a second thread from helping. UpdateDocument consumes the
    /// fields before the thread's next paper, so one set a thread is enough.
    /// </summary>
    private sealed class ThreadReuse
    {
        public readonly AnalysedText Title = new(), Abstract = new();
        public readonly AnalysedText.ReplayStream TitleStream = new(), AbstractStream = new(), TextStream = new();
        public readonly StringField Key = new(SearchAnalysis.PaperKey, "", Field.Store.NO);
        public readonly NumericDocValuesField Id = new(SearchAnalysis.PaperId, 0);
        public readonly TextField TitleField, AbstractField, TextField, Authors = new(SearchAnalysis.Authors, "", Field.Store.NO);
        public readonly Int32Field Date = new(SearchAnalysis.Date, 0, Field.Store.NO);
        public readonly List<StringField> Categories = [];
        public readonly HashSet<string> Seen = new(StringComparer.OrdinalIgnoreCase);

        public ThreadReuse()
        {
            TitleField = new TextField(SearchAnalysis.Title, TitleStream);
            AbstractField = new TextField(SearchAnalysis.Abstract, AbstractStream);
            TextField = new TextField(SearchAnalysis.Text, TextStream);
        }

        public StringField Category(int i, string code)
        {
            if (i == Categories.Count) Categories.Add(new StringField(SearchAnalysis.Category, "", Field.Store.NO));
            Categories[i].SetStringValue(code);
            return Categories[i];
        }
    }

    private Document ToDocument(IndexedPaper p)
    {
        var r = _reuse ??= new ThreadReuse();
        // Title and abstract are analysed once each; the text field replays both (as "title\nabstract" would analyse).
        var title = r.Title.Fill(Analyzer, SearchAnalysis.Title, p.Title);
        var summary = r.Abstract.Fill(Analyzer, SearchAnalysis.Abstract, p.Abstract);
        r.TitleStream.Over(title);
        r.AbstractStream.Over(summary);
        r.TextStream.Over(title, summary);
        r.Key.SetStringValue(p.Id.ToString(CultureInfo.InvariantCulture));
        r.Id.SetInt64Value(p.Id);
        r.Authors.SetStringValue(p.Authors);
        r.Date.SetInt32Value(DateKey(p.ListingDate));
        var d = new Document { r.Key, r.Id, r.TitleField, r.AbstractField, r.TextField, r.Authors, r.Date };
        r.Seen.Clear();
        int n = 0;
        foreach (var code in p.Categories.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            // A whole archive filters too: cat:cs matches cs.CL and cs.LG.
            var archive = code.Split('.')[0];
            if (r.Seen.Add(code)) d.Add(r.Category(n++, code.ToLowerInvariant()));
            if (r.Seen.Add(archive)) d.Add(r.Category(n++, archive.ToLowerInvariant()));
        }
        return d;
    }

    public static int DateKey(DateOnly d) => d.Year * 10000 + d.Month * 100 + d.Day;

    /// <summary>
    /// Top <paramref name="n"/> papers for a query restricted by <paramref name="filter"/>, with the number of matches
    /// (exact, or a lower bound when the MaxScore path skipped documents that could not make the top n).
    /// Plain-word queries are ranked by <see cref="MaxScore"/> (Lucene's scores, fewer postings read).
    /// </summary>
    public KeywordHits Search(Query query, int n, Query? filter = null)
    {
        n = Math.Max(1, n);
        var searcher = _searchers.Acquire();
        try
        {
            var leaves = searcher.IndexReader.Leaves;
            if (MaxScore.Flatten(query) is { } terms)
            {
                var (docs, total, exact) = MaxScore.Search(searcher, terms, n, filter is null ? null : new QueryWrapperFilter(filter), Windows);
                return new KeywordHits(docs.ConvertAll(d => (PaperIdOf(leaves, d.Doc), d.Score)), total, exact);
            }
            var top = searcher.Search(KeywordQuery.Restrict(query, filter), n);
            var hits = new List<(long, float)>(top.ScoreDocs.Length);
            foreach (var sd in top.ScoreDocs)
                hits.Add((PaperIdOf(leaves, sd.Doc), sd.Score));
            return new KeywordHits(hits, top.TotalHits, true);
        }
        finally { _searchers.Release(searcher); }
    }

    /// <summary>MaxScore's windows (tests use small ones to exercise them on small corpora; benchmarks compare).</summary>
    public MaxScore.Windows Windows { get; set; } = MaxScore.Windows.Default;

    /// <summary>Every paper id a filter admits, for restricting the vector scan.</summary>
    public HashSet<long> Collect(Query filter)
    {
        var searcher = _searchers.Acquire();
        try
        {
            var collector = new PaperIdCollector();
            searcher.Search(filter, collector);
            return collector.Ids;
        }
        finally { _searchers.Release(searcher); }
    }

    internal static long PaperIdOf(IList<AtomicReaderContext> leaves, int doc)
    {
        var leaf = leaves[ReaderUtil.SubIndex(doc, leaves)];
        return leaf.AtomicReader.GetNumericDocValues(SearchAnalysis.PaperId).Get(doc - leaf.DocBase);
    }

    /// <summary>Brings the index up to date with the database: every paper whose sequence is above the applied one.</summary>
    /// <remarks>
    /// Following (a few papers a minute) is one batch of at most <see cref="FollowBatch"/> on the calling thread. A
    /// rebuild or a big import (<see cref="MergeAfter"/> papers or more behind) is a bulk build: chunks of
    /// <see cref="BulkChunk"/> papers, each indexed on <see cref="BuildThreads"/> threads at the lowest CPU priority (so a
    /// server's requests keep their cores) while the next chunk is read from the database, one commit a chunk.
    /// </remarks>
    public async Task<int> CatchUpAsync(DatabaseSettings db, IProgress<(long Done, long Total)>? progress = null, CancellationToken ct = default)
    {
        var papers = await ReadAfterAsync(db, AppliedSequence, FollowBatch, ct);
        if (papers.Count == 0) return 0;
        // Counted only when a whole batch came: following reads one short batch a poll and nothing more.
        long total = papers.Count < FollowBatch ? papers.Count : await CountAfterAsync(db, AppliedSequence, ct);
        bool bulk = total >= BulkFrom;
        int chunk = bulk ? BulkChunkPapers : FollowBatch;
        using var threads = bulk && BuildThreads > 1 ? new CallThreads(BuildThreads, lowPriority: true, "keyword-index") : null;
        int applied = 0;
        // Microsoft.Data.Sqlite's async calls complete synchronously: Task.Run is what lets the read overlap the indexing.
        var reading = bulk ? Task.Run(() => ReadAfterAsync(db, AppliedSequence, chunk, ct), ct) : Task.FromResult(papers);
        while (true)
        {
            papers = await reading;
            if (papers.Count == 0) break;
            bool more = papers.Count == chunk;
            if (more)
            {
                long after = papers[^1].Sequence;
                reading = bulk ? Task.Run(() => ReadAfterAsync(db, after, chunk, ct), ct) : ReadAfterAsync(db, after, chunk, ct);
            }
            await ApplyAsync(papers, papers[^1].Sequence, threads, ct);
            applied += papers.Count;
            progress?.Report((applied, Math.Max(total, applied)));
            if (!more) break;
        }
        // A rebuild or a big import leaves a handful of segments; every query looks each term up in each of them
        // (merging the full snapshot's 7 segments into one took p50 from 7.2 to 4.3 ms; docs/benchmarks.md).
        if (applied >= MergeAfter && SegmentCount > 1) await MergeAsync(ct);
        return applied;
    }

    /// <summary>Papers behind after which a catch-up is a bulk build (and the index is merged into one segment after it).</summary>
    public const int MergeAfter = 20_000;

    /// <summary>Papers a commit while following: small commits, so new papers are searchable within a poll or two.</summary>
    public const int FollowBatch = 2000;

    /// <summary>
    /// Papers a commit in a bulk build: each commit flushes and syncs every in-memory segment, so fewer commits mean fewer,
    /// larger segments to merge; 50,000 papers are about 75 MB of text held twice (the chunk indexed, the next one read).
    /// </summary>
    public const int BulkChunk = 50_000;

    /// <summary>Papers behind from which a catch-up is a bulk build (<see cref="MergeAfter"/>; tests use small values).</summary>
    internal int BulkFrom { get; set; } = MergeAfter;

    /// <summary>Papers a commit in a bulk build (<see cref="BulkChunk"/>; tests use small values).</summary>
    internal int BulkChunkPapers { get; set; } = BulkChunk;

    /// <summary>Threads a bulk build indexes on: every core (tests and benchmarks set other values).</summary>
    public int BuildThreads { get; set; } = Environment.ProcessorCount;

    private static async Task<long> CountAfterAsync(DatabaseSettings db, long sequence, CancellationToken ct)
    {
        await using var conn = db.CreateConnection();
        if (conn.State != System.Data.ConnectionState.Open) await conn.OpenAsync(ct);
        await using var cmd = conn.CreateCommand();
        cmd.CommandText = "SELECT COUNT(*) FROM papers WHERE \"Sequence\" > @s";
        AddParameter(cmd, "@s", sequence);
        return Convert.ToInt64(await cmd.ExecuteScalarAsync(ct), CultureInfo.InvariantCulture);
    }

    private static async Task<List<IndexedPaper>> ReadAfterAsync(DatabaseSettings db, long sequence, int limit, CancellationToken ct)
    {
        await using var conn = db.CreateConnection();
        if (conn.State != System.Data.ConnectionState.Open) await conn.OpenAsync(ct);
        await using var cmd = conn.CreateCommand();
        cmd.CommandText = "SELECT \"Id\", \"Title\", \"Abstract\", \"Authors\", \"Categories\", \"ListingDate\", \"Sequence\" FROM papers WHERE \"Sequence\" > @s ORDER BY \"Sequence\" LIMIT @n";
        AddParameter(cmd, "@s", sequence);
        AddParameter(cmd, "@n", limit);
        var list = new List<IndexedPaper>();
        await using var rd = await cmd.ExecuteReaderAsync(ct);
        while (await rd.ReadAsync(ct))
        {
            var listing = rd.GetValue(5) switch
            {
                DateOnly d => d,
                DateTime dt => DateOnly.FromDateTime(dt),
                var o => DateOnly.Parse(Convert.ToString(o, CultureInfo.InvariantCulture)!, CultureInfo.InvariantCulture),
            };
            list.Add(new IndexedPaper(rd.GetInt64(0), rd.GetString(1), rd.GetString(2), rd.GetString(3), rd.GetString(4), listing, rd.GetInt64(6)));
        }
        return list;
    }

    internal static void AddParameter(DbCommand cmd, string name, object value)
    {
        var p = cmd.CreateParameter();
        p.ParameterName = name;
        p.Value = value;
        cmd.Parameters.Add(p);
    }

    public void Dispose()
    {
        _searchers.Dispose();
        _writer.Dispose();
        _dir.Dispose();
        _writeLock.Dispose();
        _processLock.Dispose();
    }

    private sealed class BM25SearcherFactory(Similarity similarity) : SearcherFactory
    {
        public override IndexSearcher NewSearcher(IndexReader reader) => new(reader) { Similarity = similarity };
    }

    private sealed class PaperIdCollector : ICollector
    {
        public readonly HashSet<long> Ids = [];
        private NumericDocValues? _ids;
        public void SetScorer(Scorer scorer) { }
        public void Collect(int doc) => Ids.Add(_ids!.Get(doc));
        public void SetNextReader(AtomicReaderContext context) => _ids = context.AtomicReader.GetNumericDocValues(SearchAnalysis.PaperId);
        public bool AcceptsDocsOutOfOrder => true;
    }
}

/// <summary>A page of keyword results: paper ids and BM25 scores, best first, and how many papers matched.</summary>
public sealed record KeywordHits(List<(long PaperId, float Score)> Hits, int Total, bool TotalIsExact);

/// <summary>Another process (usually a running server) holds the index's write lock.</summary>
public sealed class SearchIndexBusyException(string path)
    : Exception($"The search index at {path} is in use by another process (a running server, or another reindex). Stop it first, or let the running server keep it current.");
