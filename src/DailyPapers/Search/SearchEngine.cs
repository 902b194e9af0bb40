using System.Text.RegularExpressions;
using DailyPapers.Data;
using Lucene.Net.Search;

namespace DailyPapers.Search;

public enum SearchMode { Hybrid, Keyword, Semantic }

/// <summary>A ranked list of paper ids, and what produced it.</summary>
/// <remarks><see cref="TotalIsExact"/> is false when the keyword side skipped papers that could not rank (the total is then a lower bound).</remarks>
public sealed record Ranking(List<(long Id, double Score)> Hits, int Total, SearchMode Mode, Query? KeywordQuery, string? Notice, bool TotalIsExact = true);

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
        Embeddings = new EmbeddingWork(db, Vectors, () => model ?? Embedder.Shared);
    }

    public KeywordIndex Keyword => _keyword.Value;

    /// <summary>Share of indexed papers that have an embedding in memory.</summary>
    public double SemanticCoverage
    {
        get
        {
            if (!Settings.Embeddings || !VectorsLoaded) return 0;
            int docs = Keyword.DocumentCount;
            return docs == 0 ? 1 : Math.Min(1.0, (double)Vectors.Count / docs);
        }
    }

    public bool SemanticReady => Settings.Embeddings && VectorsLoaded && SemanticCoverage >= Settings.MinSemanticCoverage;

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
        if (mode != SearchMode.Keyword && !SemanticReady)
        {
            notice = !Settings.Embeddings
                ? "Semantic search is switched off on this server: these are keyword results only."
                : $"Semantic search is not ready yet ({Vectors.Count:N0} of {Keyword.DocumentCount:N0} papers have embeddings): these are keyword results only.";
            mode = SearchMode.Keyword;
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
            return new Ranking(sem.ConvertAll(h => (h.PaperId, (double)h.Score)), sem.Count, mode, query, notice);

        var fused = Search.Fusion.Fuse(kw, sem, Fusion, Fusion.RescoreKeywordHits ? id => Vectors.Similarity(id, vector) : null);
        return new Ranking(fused, Math.Max(keyword.Total, fused.Count), mode, query, notice, keyword.TotalIsExact);
    }

    /// <summary>
    /// Query embeddings are cached: paging and repeated queries (feeds, popular searches) skip the model.
    /// Cleared when full rather than evicted one by one: simple, and the model rebuilds hot entries in milliseconds.
    /// </summary>
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, float[]> _queryVectors = new();
    private const int QueryCacheSize = 4096;

    private float[] QueryVector(string text)
    {
        if (_queryVectors.TryGetValue(text, out var v)) return v;
        v = (_model ?? Embedder.ForQueries).Embed(Embedder.Truncate(text));
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
