using System.Globalization;
using System.Net;
using DailyPapers.Data;
using DailyPapers.Papers;
using Lucene.Net.Search;
using Lucene.Net.Search.Highlight;
using Microsoft.EntityFrameworkCore;

namespace DailyPapers.Search;

/// <summary>What a caller asks for: the search page, /api/v1, the HF-compatible API and search feeds all build one.</summary>
public sealed record SearchRequest(string? Query, string? Mode = null, string? Category = null, DateOnly? From = null, DateOnly? To = null,
    string? Author = null, int Page = 1, int PageSize = PaperSearch.DefaultPageSize);

/// <summary>One result: the paper's card with its title and a snippet as safe HTML (&lt;mark&gt; around matches).</summary>
public sealed record SearchHit(PaperCard Paper, string TitleHtml, string SnippetHtml, double Score);

/// <remarks>
/// <see cref="TotalIsExact"/> is false when <see cref="Total"/> is a lower bound (the ranking skipped papers that could not
/// make the page); <see cref="TopBySimilarity"/> when it is the number of most similar papers that can be paged through
/// (semantic mode: every paper is similar to some degree). <see cref="Coverage"/>: what the semantic side reached.
/// </remarks>
public sealed record SearchResult(string Query, SearchMode Mode, SearchMode RequestedMode, int Total, int Page, int PageSize,
    IReadOnlyList<SearchHit> Hits, string? Notice, bool TotalIsExact = true, SemanticCoverage? Coverage = null, bool TopBySimilarity = false)
{
    public int PageCount => Math.Max(1, (Math.Min(Total, PaperSearch.MaxResults) + PageSize - 1) / PageSize);
}

/// <summary>Paper search for every entry point: validates the request, ranks, pages, loads cards and highlights.</summary>
public sealed class PaperSearch(SearchEngine engine, AppDbContext db)
{
    public const int MaxQueryLength = 250, DefaultPageSize = 20, MaxPageSize = 100;
    /// <summary>Results reachable by paging; deeper pages of a relevance ranking are noise.</summary>
    public const int MaxResults = 1000;

    public static SearchMode ParseMode(string? mode) => mode?.Trim().ToLowerInvariant() switch
    {
        null or "" or "hybrid" => SearchMode.Hybrid,
        "keyword" => SearchMode.Keyword,
        "semantic" => SearchMode.Semantic,
        _ => throw new SearchRequestException($"Unknown search mode '{mode}': use hybrid, keyword or semantic."),
    };

    public async Task<SearchResult> SearchAsync(SearchRequest request, CancellationToken ct = default)
    {
        var text = (request.Query ?? "").Trim();
        if (text.Length == 0) throw new SearchRequestException("Type something to search for: words from a title or abstract, an author (author:Hinton) or a category (cat:cs.CL).");
        if (text.Length > MaxQueryLength) throw new SearchRequestException($"That query is {text.Length} characters long; the limit is {MaxQueryLength}. Shorten it to its key words.");
        var mode = ParseMode(request.Mode);
        if (request.Page < 1) throw new SearchRequestException("page must be 1 or more.");
        if (request.PageSize < 1 || request.PageSize > MaxPageSize) throw new SearchRequestException($"page size must be between 1 and {MaxPageSize}.");
        if (request.From is { } f && request.To is { } t && f > t) throw new SearchRequestException("The start date is after the end date.");
        if ((long)request.Page * request.PageSize > MaxResults) throw new SearchRequestException($"Only the first {MaxResults} results can be paged through; refine the query.");
        var category = request.Category?.Trim();
        // The index keeps codes lower-cased, so CS.CL finds cs.CL.
        if (!string.IsNullOrEmpty(category) && Papers.Categories.CodeError(category.ToLowerInvariant()) is not null)
            throw new SearchRequestException(Papers.Categories.CodeError(category)!);

        var filter = KeywordQuery.Filter(engine.Keyword.Analyzer, category, request.From, request.To, request.Author?.Trim());
        var depth = request.Page * request.PageSize;
        var ranking = await Task.Run(() => engine.RankAsync(text, mode, filter, depth), ct);
        var page = ranking.Hits.Skip((request.Page - 1) * request.PageSize).Take(request.PageSize).ToList();
        var cards = await CardsAsync(page.Select(h => h.Id).ToList(), ct);
        var hits = new List<SearchHit>(page.Count);
        var highlight = new Highlighting(engine, ranking.KeywordQuery);
        foreach (var (id, score) in page)
            if (cards.TryGetValue(id, out var card))
                hits.Add(new SearchHit(card, highlight.Title(card.Title), highlight.Snippet(card.Abstract), score));
        return new SearchResult(text, ranking.Mode, mode, ranking.Total, request.Page, request.PageSize, hits, ranking.Notice, ranking.TotalIsExact,
            ranking.Coverage, ranking.TopBySimilarity);
    }

    /// <summary>Nearest papers by embedding; before a paper has one, the best keyword matches of its title.</summary>
    public async Task<IReadOnlyList<PaperCard>> SimilarAsync(long paperId, int count = 5, CancellationToken ct = default)
    {
        List<long> ids;
        if (engine.Settings.Embeddings && engine.Vectors.TryGet(paperId, out var v))
            ids = engine.Vectors.Nearest(v, count + 1).Select(h => h.PaperId).Where(id => id != paperId).Take(count).ToList();
        else
        {
            var title = await db.Papers.Where(p => p.Id == paperId).Select(p => p.Title).FirstOrDefaultAsync(ct);
            var q = title is null ? null : KeywordQuery.ParsePlain(title, engine.Keyword.Analyzer, engine.Keyword.Ranking);
            ids = q is null ? [] : engine.Keyword.Search(q, count + 1).Hits.Select(h => h.PaperId).Where(id => id != paperId).Take(count).ToList();
        }
        var cards = await CardsAsync(ids, ct);
        return ids.Where(cards.ContainsKey).Select(id => cards[id]).ToList();
    }

    private async Task<Dictionary<long, PaperCard>> CardsAsync(List<long> ids, CancellationToken ct) => ids.Count == 0 ? [] :
        (await db.Papers.Where(p => ids.Contains(p.Id)).Cards().ToListAsync(ct)).ToDictionary(c => c.Id);

    /// <summary>Marks query terms in titles and picks the abstract passages that match best.</summary>
    private sealed class Highlighting(SearchEngine engine, Query? query)
    {
        private const int FragmentChars = 160, Fragments = 2;
        private readonly Highlighter? _title = query is null ? null : Make(query, SearchAnalysis.Title, new NullFragmenter());
        private readonly Highlighter? _abstract = query is null ? null : Make(query, SearchAnalysis.Abstract, null);

        private static Highlighter Make(Query q, string field, IFragmenter? fragmenter)
        {
            // No field restriction: unfielded words are searched in the combined "text" field but shown in title and abstract.
            var scorer = new QueryScorer(q);
            return new Highlighter(new SimpleHTMLFormatter("<mark>", "</mark>"), new SimpleHTMLEncoder(), scorer)
            {
                TextFragmenter = fragmenter ?? new SimpleSpanFragmenter(scorer, FragmentChars),
            };
        }

        public string Title(string title) => Best(_title, SearchAnalysis.Title, title, 1) ?? WebUtility.HtmlEncode(title);

        public string Snippet(string text) => Best(_abstract, SearchAnalysis.Abstract, text, Fragments) is { } s
            ? s + (text.Length > FragmentChars * Fragments ? " …" : "")
            : WebUtility.HtmlEncode(PaperCard.Snip(text, 300));

        private string? Best(Highlighter? h, string field, string text, int n)
        {
            if (h is null) return null;
            try
            {
                var parts = h.GetBestFragments(engine.Keyword.Analyzer, field, text, n);
                return parts.Length == 0 ? null : string.Join(" … ", parts.Select(p => p.Trim()));
            }
            catch (InvalidTokenOffsetsException)
            {
                return null;
            }
        }
    }

    internal static string Iso(DateOnly d) => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
