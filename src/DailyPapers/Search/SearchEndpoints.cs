using System.Globalization;
using DailyPapers.Data;
using DailyPapers.Papers;
using Microsoft.Extensions.Options;

namespace DailyPapers.Search;

/// <summary>Registers search services and maps the JSON search API.</summary>
public static class SearchEndpoints
{
    public static WebApplicationBuilder AddSearch(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<SearchSettings>().BindConfiguration(SearchSettings.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton(sp => new SearchEngine(sp.GetRequiredService<DatabaseSettings>(), sp.GetRequiredService<IOptions<SearchSettings>>().Value));
        builder.Services.AddScoped<PaperSearch>();
        builder.Services.AddHostedService<SearchIndexFollower>();
        builder.Services.AddHostedService<EmbeddingWorker>();
        return builder;
    }

    public static WebApplication MapSearch(this WebApplication app)
    {
        var api = app.MapGroup("/api/v1").WithTags("Search");
        api.MapGet("/papers/search", async (HttpRequest http, PaperSearch search, CancellationToken ct) =>
        {
            try
            {
                var result = await search.SearchAsync(ReadRequest(http.Query), ct);
                return Results.Ok(ToWire(result));
            }
            catch (SearchRequestException ex)
            {
                return Results.Problem(title: "That search is not valid", detail: ex.Message, statusCode: StatusCodes.Status400BadRequest);
            }
        });
        api.MapGet("/search/status", (SearchEngine engine) => Results.Ok(new
        {
            indexedPapers = engine.Keyword.DocumentCount,
            appliedSequence = engine.Keyword.AppliedSequence,
            embeddedPapers = engine.Vectors.Count,
            embeddingsLoaded = engine.VectorsLoaded,
            semanticReady = engine.SemanticReady,
            semanticCoverage = engine.Settings.Embeddings ? CoverageWire(engine.Coverage) : null,
            model = Embedder.ModelName,
            device = engine.Settings.Embeddings && engine.VectorsLoaded ? engine.BackgroundEmbedder.Device : null,
            deviceFallback = engine.Settings.Embeddings && engine.VectorsLoaded ? engine.BackgroundEmbedder.DeviceFallback : null,
        }));
        return app;
    }

    /// <summary>Reads q, mode, cat, from, to, author, page and page_size; a malformed value is a <see cref="SearchRequestException"/>.</summary>
    public static SearchRequest ReadRequest(IQueryCollection q) => new(
        q["q"].ToString(), q["mode"].ToString(), NullIfEmpty(q["cat"]), Date(q["from"], "from"), Date(q["to"], "to"), NullIfEmpty(q["author"]),
        Int(q["page"], "page", 1), Int(q["page_size"], "page_size", PaperSearch.DefaultPageSize));

    private static string? NullIfEmpty(string? s) => string.IsNullOrWhiteSpace(s) ? null : s;

    private static DateOnly? Date(string? s, string name)
    {
        if (string.IsNullOrWhiteSpace(s)) return null;
        if (ListPeriod.TryParseDay(s.Trim(), out var d)) return d;
        throw new SearchRequestException($"'{s}' is not a valid {name} date: use YYYY-MM-DD, e.g. 2019-12-02.");
    }

    private static int Int(string? s, string name, int fallback)
    {
        if (string.IsNullOrWhiteSpace(s)) return fallback;
        if (int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var n)) return n;
        throw new SearchRequestException($"'{s}' is not a valid {name}: use a whole number.");
    }

    /// <summary>The semantic side's reach: share, papers with embeddings, and the listing days fully covered (while incomplete).</summary>
    private static object CoverageWire(SemanticCoverage c) => new
    {
        share = Math.Round(c.Share, 4),
        embeddedPapers = c.Embedded,
        papers = c.Papers,
        complete = c.Complete,
        from = c.From is { } f ? PaperSearch.Iso(f) : null,
        newest = c.Newest is { } n ? PaperSearch.Iso(n) : null,
        description = c.Describe(),
    };

    private static object ToWire(SearchResult r) => new
    {
        query = r.Query,
        mode = r.Mode.ToString().ToLowerInvariant(),
        requestedMode = r.RequestedMode.ToString().ToLowerInvariant(),
        total = r.Total,
        totalIsExact = r.TotalIsExact,
        totalKind = r.TopBySimilarity ? "top-by-similarity" : "matches",
        semanticCoverage = r.Coverage is { } c ? CoverageWire(c) : null,
        page = r.Page,
        pageSize = r.PageSize,
        pageCount = r.PageCount,
        notice = r.Notice,
        results = r.Hits.Select(h => new
        {
            id = h.Paper.ArxivId,
            title = h.Paper.Title,
            authors = h.Paper.Authors,
            categories = h.Paper.Categories.Split(' ', StringSplitOptions.RemoveEmptyEntries),
            summary = h.Paper.Abstract,
            listingDate = PaperSearch.Iso(h.Paper.ListingDate),
            upvotes = h.Paper.Upvotes,
            titleHtml = h.TitleHtml,
            snippetHtml = h.SnippetHtml,
            score = h.Score,
            url = $"/papers/{h.Paper.ArxivId}",
        }),
    };
}
