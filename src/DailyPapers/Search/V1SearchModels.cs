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

/// <summary>A page of search results; <c>Mode</c> is the mode that ran, which is keyword when semantic search is not ready.</summary>
public sealed record V1SearchPage(
    string Query, string Mode, string RequestedMode, int Total, bool TotalIsExact, int Page, int PageSize, int PageCount, string? Notice,
    IReadOnlyList<V1SearchHit> Results)
{
    public static V1SearchPage From(SearchResult r) => new(
        r.Query, r.Mode.ToString().ToLowerInvariant(), r.RequestedMode.ToString().ToLowerInvariant(), r.Total, r.TotalIsExact,
        r.Page, r.PageSize, r.PageCount, r.Notice, r.Hits.Select(V1SearchHit.From).ToList());
}

/// <summary>How far the keyword index and the embeddings have caught up with the database.</summary>
public sealed record V1SearchStatus(int IndexedPapers, long AppliedSequence, int EmbeddedPapers, bool EmbeddingsLoaded, bool SemanticReady, string Model)
{
    public static V1SearchStatus From(SearchEngine engine) => new(
        engine.Keyword.DocumentCount, engine.Keyword.AppliedSequence, engine.Vectors.Count, engine.VectorsLoaded, engine.SemanticReady, Embedder.ModelName);
}
