using System.Globalization;
using DailyPapers.Data;
using DailyPapers.Papers;
using DailyPapers.Settings;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace DailyPapers.Search;

/// <summary>Registers search services and maps the JSON search API.</summary>
public static class SearchSetup
{
    public static WebApplicationBuilder AddSearch(this WebApplicationBuilder builder)
    {
        builder.Services.AddSettings<SearchSettings>();
        builder.Services.AddSingleton(sp => new SearchEngine(sp.GetRequiredService<DatabaseSettings>(), sp.GetRequiredService<IOptions<SearchSettings>>().Value));
        builder.Services.AddScoped<PaperSearch>();
        builder.Services.AddHostedService<SearchIndexFollower>();
        builder.Services.AddHostedService<EmbeddingWorker>();
        return builder;
    }

    public static WebApplication MapSearch(this WebApplication app)
    {
        var api = app.MapGroup("/api/v1").WithTags("Search");
        api.MapGet("/papers/search", async Task<Results<Ok<V1SearchPage>, ProblemHttpResult>> (HttpRequest http, PaperSearch search, CancellationToken ct) =>
        {
            try
            {
                return TypedResults.Ok(V1SearchPage.From(await search.SearchAsync(ReadRequest(http.Query), ct)));
            }
            catch (SearchRequestException ex)
            {
                return TypedResults.Problem(title: "That search is not valid", detail: ex.Message, statusCode: StatusCodes.Status400BadRequest);
            }
        });
        api.MapGet("/search/status", (SearchEngine engine) => TypedResults.Ok(V1SearchStatus.From(engine)));
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
}
