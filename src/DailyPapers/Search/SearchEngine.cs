using System.Text.RegularExpressions;
using DailyPapers.Data;
using Lucene.Net.Search;

namespace DailyPapers.Search;

public enum SearchMode { Hybrid, Keyword, Semantic }

/// <summary>A ranked list of paper ids, and what produced it.</summary>
/// <remarks>
/// <see cref="TotalIsExact"/> is false when the keyword side skipped papers that could not rank (the total is then a lower
/// bound). <see cref="TopBySimilarity"/>: in semantic mode every embedded paper is similar to some degree, so the total is
/// how many of the most similar can be paged through, not a count of matches. <see cref="Coverage"/> is set when a
/// semantic list took part.
/// </remarks>
public sealed record Ranking(List<(long Id, double Score)> Hits, int Total, SearchMode Mode, Query? KeywordQuery, string? Notice, bool TotalIsExact = true,
    SemanticCoverage? Coverage = null, bool TopBySimilarity = false);

/// <summary>
/// The semantic side's reach: the share of indexed papers with an embedding in memory and, while embeddings are still
/// computed newest first, the listing days whose papers all have one (<see cref="From"/> to <see cref="Newest"/>; null
/// when not known yet).
/// </summary>
public sealed record SemanticCoverage(double Share, int Embedded, int Papers, DateOnly? From, DateOnly? Newest, bool Complete)
{
    /// <summary>"papers listed 2019-06-01 – 2019-12-31 (41 %)", or the share alone before the days are known.</summary>
    public string Describe()
    {
        // Floored, with a decimal below 10 %: a backlog's first minutes say "0.4 %", never a rounded-up "100 %".
        double p = Share * 100;
        var percent = (p < 10 ? Math.Floor(p * 10) / 10 : Math.Floor(p)).ToString("0.#", System.Globalization.CultureInfo.InvariantCulture) + " %";
        return From is { } from && Newest is { } newest && from <= newest
            ? $"papers listed {PaperSearch.Iso(from)} – {PaperSearch.Iso(newest)} ({percent})"
            : $"{Embedded:N0} of {Papers:N0} papers ({percent})";
    }
}

/// <summary>
/// This node's derived search state — the Lucene index and the in-memory vectors — and the ranking over them.
/// The server, the CLI and the benchmarks all rank through <see cref="RankAsync"/>.
/// </summary>
public sealed partial class SearchEngine : IDisposable
{
    private readonly Lazy<KeywordIndex> _keyword;
    public DatabaseSettings Database { get; }
    public SearchSettings Settings { get; }
    public VectorIndex Vectors { get; }
    public EmbeddingWork Embeddings { get; }
    public FusionSettings Fusion { get; set; } = FusionSettings.Default;
    /// <summary>True once the stored embeddings are loaded into memory.</summary>
    public volatile bool VectorsLoaded;

    private readonly Embedder? _model;

    /// <param name="model">Another embedder for papers and queries (<c>reindex --embeddings</c> runs one text per core); default: the shared ones.</param>
    public SearchEngine(DatabaseSettings db, SearchSettings settings, KeywordRanking? ranking = null, VectorIndex? vectors = null, Embedder? model = null)
    {
        Vectors = vectors ?? new VectorIndex();
        Database = db;
        Settings = settings;
        _model = model;
        _keyword = new(() => KeywordIndex.Open(db, ranking), LazyThreadSafetyMode.ExecutionAndPublication);
        Embeddings = new EmbeddingWork(db, Vectors, () => model ?? BackgroundEmbedder);
    }

    /// <summary>Threads the background worker computes embeddings on (<see cref="SearchSettings.EmbeddingThreads"/>).</summary>
    public int EmbeddingThreads => Settings.EmbeddingThreads > 0 ? Settings.EmbeddingThreads : Environment.ProcessorCount;

    /// <summary>The model the background worker runs: on <see cref="EmbeddingThreads"/> low-priority threads that yield to requests.</summary>
    public Embedder BackgroundEmbedder => _model ?? Embedder.Background(EmbeddingThreads, Settings.Device);

    public KeywordIndex Keyword => _keyword.Value;

    /// <summary>How much of the collection the semantic side reaches now (<see cref="SemanticCoverage"/>).</summary>
    public SemanticCoverage Coverage
    {
        get
        {
            int docs = Keyword.DocumentCount, embedded = Settings.Embeddings && VectorsLoaded ? Vectors.Count : 0;
            var c = Embeddings.Coverage;
            bool complete = c.Complete || embedded >= docs;
            return new SemanticCoverage(docs == 0 ? 1 : Math.Min(1.0, (double)embedded / docs), embedded, docs, complete ? null : c.From, c.Newest, complete);
        }
    }

    /// <summary>
    /// Semantic and hybrid search are served as soon as any paper has an embedding: the worker embeds the newest
    /// listing days first, results say which days the semantic side covers, and in hybrid mode the keyword side covers
    /// every paper.
    /// </summary>
    public bool SemanticReady => Settings.Embeddings && VectorsLoaded && Vectors.Count > 0;

    /// <summary>
    /// Ranks papers for a query. In hybrid and semantic mode the keyword search runs on another thread while this
    /// one embeds the query; the wait for it is awaited, never blocked on (a blocked pool thread per search starves
    /// the pool under load).
    /// </summary>
    public async Task<Ranking> RankAsync(string text, SearchMode mode, Query? filter, int depth)
    {
        var query = KeywordQuery.Parse(text, Keyword.Analyzer, Keyword.Ranking);
        // Only operators ("", AND, -, *, field names): nothing to match and nothing for the model to mean.
        if (query is null && !SearchWord().IsMatch(text))
            throw new SearchRequestException("Your query has only search operators (quotes, AND/OR/NOT, +, -, *, brackets, field names) and no words: add the words to look for.");
        string? notice = null;
        SemanticCoverage? coverage = null;
        if (mode != SearchMode.Keyword && !SemanticReady)
        {
            notice = !Settings.Embeddings
                ? "Semantic search is switched off on this server: these are keyword results only."
                : $"Semantic search is not ready yet ({Vectors.Count:N0} of {Keyword.DocumentCount:N0} papers have embeddings): these are keyword results only.";
            mode = SearchMode.Keyword;
        }
        else if (mode != SearchMode.Keyword)
        {
            coverage = Coverage;
            if (!coverage.Complete)
                notice = $"Semantic results cover {coverage.Describe()}: embeddings for the other papers are being computed, newest first." +
                    (mode == SearchMode.Hybrid ? " Keyword matches cover every paper." : "");
        }
        if (mode == SearchMode.Keyword && query is null)
            throw new SearchRequestException("Your query has only very common words (like “the” or “of”) or no words at all; add a more specific word.");
        if (mode == SearchMode.Keyword)
        {
            var hits = Keyword.Search(query!, depth, filter);
            return new Ranking(hits.Hits.ConvertAll(h => (h.PaperId, (double)h.Score)), hits.Total, mode, query, notice, hits.TotalIsExact);
        }

        int fusedDepth = Math.Max(depth, Fusion.Depth);
        var keywordTask = query is not null && mode == SearchMode.Hybrid
            ? Task.Run(() => Keyword.Search(query, fusedDepth, filter))
            : Task.FromResult(new KeywordHits([], 0, true));
        float[] vector;
        try
        {
            vector = QueryVector(text);
        }
        catch
        {
            _ = keywordTask.ContinueWith(t => t.Exception, TaskContinuationOptions.OnlyOnFaulted);
            throw;
        }
        var keyword = await keywordTask.ConfigureAwait(false);
        var kw = keyword.Hits;
        var allowed = filter is null ? null : Keyword.Collect(filter);
        var sem = Vectors.Nearest(vector, mode == SearchMode.Semantic ? depth : fusedDepth, allowed is null ? null : allowed.Contains);
        if (mode == SearchMode.Semantic)
        {
            // Every embedded paper (that the filters allow) ranks; the total is how far the ranking can be paged.
            int candidates = allowed is null ? Vectors.Count : allowed.Count(Vectors.Contains);
            return new Ranking(sem.ConvertAll(h => (h.PaperId, (double)h.Score)), Math.Min(candidates, Math.Max(depth, PaperSearch.MaxResults)), mode, query, notice,
                Coverage: coverage, TopBySimilarity: true);
        }

        var fused = Search.Fusion.Fuse(kw, sem, Fusion, Fusion.RescoreKeywordHits ? SimilarityOf(kw, vector, coverage!) : null);
        return new Ranking(fused, Math.Max(keyword.Total, fused.Count), mode, query, notice, keyword.TotalIsExact, coverage);
    }

    /// <summary>
    /// The semantic score of a keyword hit. While some papers have no embedding yet, such a hit is given the median
    /// similarity of the keyword hits that have one: no evidence either way, rather than the floor that would rank every
    /// not-yet-embedded paper below the embedded ones.
    /// </summary>
    private Func<long, float?> SimilarityOf(List<(long PaperId, float Score)> keywordHits, float[] vector, SemanticCoverage coverage)
    {
        if (coverage.Complete) return id => Vectors.Similarity(id, vector);
        var known = new Dictionary<long, float>(keywordHits.Count);
        foreach (var (id, _) in keywordHits)
            if (Vectors.Similarity(id, vector) is { } sim) known[id] = sim;
        if (known.Count == 0) return id => Vectors.Similarity(id, vector);
        var sorted = known.Values.Order().ToArray();
        float median = sorted[sorted.Length / 2];
        return id => known.TryGetValue(id, out var s) ? s : Vectors.Similarity(id, vector) ?? median;
    }

    /// <summary>
    /// Query embeddings are cached: paging and repeated queries (feeds, popular searches) skip the model.
    /// Cleared when full rather than evicted one by one: simple, and the model rebuilds hot entries in milliseconds.
    /// </summary>
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, float[]> _queryVectors = new();
    private const int QueryCacheSize = 4096;

    /// <summary>Loads the query model (seconds: the weights are read and quantised) so the first search does not wait for it.</summary>
    public void WarmQueryModel() => (_model ?? Embedder.ForQueriesOn(Settings.Device)).Embed("warm up");

    private float[] QueryVector(string text)
    {
        if (_queryVectors.TryGetValue(text, out var v)) return v;
        v = (_model ?? Embedder.ForQueriesOn(Settings.Device)).Embed(Embedder.Truncate(text));
        if (_queryVectors.Count >= QueryCacheSize) _queryVectors.Clear();
        _queryVectors[text] = v;
        return v;
    }

    /// <summary>A word that is not an operator (AND, OR, NOT) or a field name (a word followed by a colon).</summary>
    [GeneratedRegex(@"(?<![\p{L}\p{N}])(?!(?:AND|OR|NOT)(?![\p{L}\p{N}]))[\p{L}\p{N}]+(?![\p{L}\p{N}]|:)")]
    private static partial Regex SearchWord();

    public void Dispose()
    {
        if (_keyword.IsValueCreated) _keyword.Value.Dispose();
    }
}

/// <summary>A request the user can fix: shown as a message (UI) or a 400 ProblemDetails (API).</summary>
public sealed class SearchRequestException(string message) : Exception(message);
