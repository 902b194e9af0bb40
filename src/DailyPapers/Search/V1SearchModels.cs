namespace DailyPapers.Search;

/// <summary>One result of <c>/api/v1/papers/search</c>, with its highlighted title and snippet.</summary>
public sealed record V1SearchHit(
    string Id, string Title, string Authors, IReadOnlyList<string> Categories, string Summary, string ListingDate, int Upvotes,
    string TitleHtml, string SnippetHtml, double Score, string Url)
{
    public static V1SearchHit From(SearchHit h) => new(
        h.Paper.ArxivId, h.Paper.Title, h.Paper.Authors, h.Paper.Categories.Split(' ', StringSplitOptions.RemoveEmptyEntries), h.Paper.Abstract,
        PaperSearch.Iso(h.Paper.ListingDate), h.Paper.Upvotes, h.TitleHtml, h.SnippetHtml, h.Score, $"/papers/{h.Paper.ArxivId}");
}

/// <summary>The semantic side's reach: share, papers with embeddings, and the listing days fully covered (while incomplete).</summary>
public sealed record V1SemanticCoverage(double Share, int EmbeddedPapers, int Papers, bool Complete, string? From, string? Newest, string Description)
{
    public static V1SemanticCoverage Of(SemanticCoverage c) => new(
        Math.Round(c.Share, 4), c.Embedded, c.Papers, c.Complete, c.From is { } f ? PaperSearch.Iso(f) : null, c.Newest is { } n ? PaperSearch.Iso(n) : null, c.Describe());
}

/// <summary>A page of search results; <c>Mode</c> is the mode that ran, <c>TotalKind</c> "matches" or "top-by-similarity".</summary>
public sealed record V1SearchPage(
    string Query, string Mode, string RequestedMode, int Total, bool TotalIsExact, string TotalKind, V1SemanticCoverage? SemanticCoverage,
    int Page, int PageSize, int PageCount, string? Notice, IReadOnlyList<V1SearchHit> Results)
{
    public static V1SearchPage From(SearchResult r) => new(
        r.Query, r.Mode.ToString().ToLowerInvariant(), r.RequestedMode.ToString().ToLowerInvariant(), r.Total, r.TotalIsExact,
        r.TopBySimilarity ? "top-by-similarity" : "matches", r.Coverage is { } c ? V1SemanticCoverage.Of(c) : null,
        r.Page, r.PageSize, r.PageCount, r.Notice, r.Hits.Select(V1SearchHit.From).ToList());
}

/// <summary>How far the keyword index and the embeddings have caught up with the database, and where the model runs.</summary>
public sealed record V1SearchStatus(
    int IndexedPapers, long AppliedSequence, int EmbeddedPapers, bool EmbeddingsLoaded, bool SemanticReady, V1SemanticCoverage? SemanticCoverage,
    string Model, string? Device, string? DeviceFallback)
{
    public static V1SearchStatus From(SearchEngine engine)
    {
        bool running = engine.Settings.Embeddings && engine.VectorsLoaded;
        return new(engine.Keyword.DocumentCount, engine.Keyword.AppliedSequence, engine.Vectors.Count, engine.VectorsLoaded, engine.SemanticReady,
            engine.Settings.Embeddings ? V1SemanticCoverage.Of(engine.Coverage) : null, Embedder.ModelName,
            running ? engine.BackgroundEmbedder.Device : null, running ? engine.BackgroundEmbedder.DeviceFallback : null);
    }
}
