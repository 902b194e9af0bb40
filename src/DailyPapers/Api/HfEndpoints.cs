using System.Globalization;
using DailyPapers.Data;
using DailyPapers.Feeds;
using DailyPapers.Papers;
using DailyPapers.Web;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.WebUtilities;

namespace DailyPapers.Api;

/// <summary>
/// Hugging Face's papers API, so clients written for huggingface.co (e.g. huggingface_hub's list_daily_papers,
/// list_papers, paper_info) work against this instance by changing the base URL.
/// Sorting: "publishedAt" (the default) is newest listing day first and, within a day, best signal score first
/// (Papers/PaperSignals) — the order HF's recorded responses show; "trending" is best score first over the period
/// (the last 7 days without one). Like HF, the list is curated by default (?view=all for every paper).
/// </summary>
public static class HfEndpoints
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 100;
    public const int MaxSearchLimit = 120;
    public const int MaxQueryLength = 250;
    /// <summary>Trending without a period looks at the last week of listings.</summary>
    public const int TrendingDays = 7;

    public static IEndpointRouteBuilder MapHuggingFaceApi(this IEndpointRouteBuilder app)
    {
        var g = app.MapGroup("/api").WithTags("Hugging Face compatible").RequireCors(ApiSetup.ReadCors);
        g.MapGet("/daily_papers", DailyPapers)
            .CacheOutput(CachePolicies.Lists) // the same short-lived cache as the HTML lists it mirrors
            .WithSummary("Daily papers, as huggingface.co/api/daily_papers")
            .WithDescription("Filters: date=YYYY-MM-DD, week=YYYY-Www (ISO week, Monday–Sunday), month=YYYY-MM (at most one), submitter; view=curated (the default: papers with a community signal, or all when the period has none) or view=all (every new paper). Paging: p (from 0), limit (1–100, default 50); a Link header with rel=\"next\" names the next page.");
        g.MapGet("/papers/search", Search)
            .WithSummary("Search papers, as huggingface.co/api/papers/search (q ≤ 250 characters, limit ≤ 120)");
        g.MapGet("/papers/{**arxivId}", PaperInfo)
            .WithSummary("One paper as a flat object, as huggingface.co/api/papers/{id}");
        return app;
    }

    private static JsonHttpResult<HfError> Error(string message, int status = 400) => TypedResults.Json(new HfError(message), statusCode: status);

    internal static async Task<Results<Ok<List<HfDailyPaper>>, JsonHttpResult<HfError>>> DailyPapers(
        HttpContext ctx, AppDbContext db, string? p, string? limit, string? sort, string? date, string? week, string? month, string? submitter, string? view, CancellationToken ct)
    {
        if (!ListViews.TryParse(view, out var listView)) return Error(ListViews.Error);
        if (!QueryNumber.TryParse(p, 0, 0, 1_000_000, out var page)) return Error($"'p' must be a page number from 0, not '{p}'.");
        if (!QueryNumber.TryParse(limit, DefaultLimit, 1, MaxLimit, out var size)) return Error($"'limit' must be between 1 and {MaxLimit}, not '{limit}'.");
        if (sort is not (null or "publishedAt" or "trending")) return Error($"'sort' must be 'publishedAt' or 'trending', not '{sort}'.");
        if (submitter is { Length: > 100 }) return Error("'submitter' is too long.");
        var given = new[] { ("date", date), ("week", week), ("month", month) }.Where(x => x.Item2 is not null).ToList();
        if (given.Count > 1) return Error("Give at most one of 'date', 'week' and 'month'.");
        ListPeriod? period = null;
        if (given.Count == 1)
        {
            if (!ListPeriod.TryParse(given[0].Item1, given[0].Item2!, out var parsed, out var error)) return Error(error);
            period = parsed;
        }
        if (sort == "trending" && period is null && await PaperLists.LatestDayAsync(db, ct) is { } latest)
            period = ListPeriod.Days(ListPeriod.Plus(latest, 1 - TrendingDays), latest);

        var q = period is null ? db.Papers : PaperLists.InPeriod(db, period, null);
        // The same submitter the entries show (submittedOnDailyBy): a member's display name, else the curated source's handle.
        if (submitter is not null)
            q = q.Where(x => db.Set<Community.Submission>().Any(s => s.PaperId == x.Id && db.Users.Any(u => u.Id == s.UserId && u.DisplayName == submitter))
                || (!x.Submitted && x.HfSubmitter == submitter));
        if (submitter is null) (q, _) = await PaperLists.InViewAsync(q, listView, ct);
        var ordered = sort == "trending" ? q.Ranked() : q.NewestDayFirst();
        // One extra row tells whether a next page exists without counting the whole period.
        var items = await ListItems.LoadAsync(db, ordered.Skip(page * size), size + 1, ct);
        if (items.Count > size)
        {
            var query = QueryHelpers.ParseQuery(ctx.Request.QueryString.Value).ToDictionary(k => k.Key, k => k.Value.ToString());
            query["p"] = (page + 1).ToString(CultureInfo.InvariantCulture);
            var next = QueryHelpers.AddQueryString(FeedEndpoints.SiteUrl(ctx) + ctx.Request.Path, query!);
            ctx.Response.Headers.Link = $"<{next}>; rel=\"next\"";
        }
        var site = FeedEndpoints.SiteUrl(ctx);
        return TypedResults.Ok(items.Take(size).Select(i => HfMapping.Entry(i, site)).ToList());
    }

    internal static async Task<Results<Ok<List<HfDailyPaper>>, JsonHttpResult<HfError>>> Search(
        HttpContext ctx, AppDbContext db, DailyPapers.Search.PaperSearch search, string? q, string? limit, CancellationToken ct)
    {
        if (q is { Length: > MaxQueryLength }) return Error($"'q' must be at most {MaxQueryLength} characters.");
        if (!QueryNumber.TryParse(limit, DefaultLimit, 1, MaxSearchLimit, out var size)) return Error($"'limit' must be between 1 and {MaxSearchLimit}, not '{limit}'.");
        IReadOnlyList<ListItem> items;
        if (string.IsNullOrWhiteSpace(q))
        {
            // No query: the latest day, as the search page shows before anything is typed.
            var latest = await PaperLists.LatestDayAsync(db, ct) ?? DateOnly.MinValue;
            items = await ListItems.LoadAsync(db, PaperLists.InPeriod(db, ListPeriod.Day(latest), null).Ranked(), size, ct);
        }
        else
        {
            try
            {
                items = await global::DailyPapers.Search.SearchItems.LoadAsync(search, db, q, size, ct);
            }
            catch (DailyPapers.Search.SearchRequestException ex)
            {
                return Error(ex.Message);
            }
        }
        var site = FeedEndpoints.SiteUrl(ctx);
        return TypedResults.Ok(items.Select(i => HfMapping.Entry(i, site)).ToList());
    }

    internal static async Task<Results<Ok<HfPaper>, JsonHttpResult<HfError>>> PaperInfo(HttpContext ctx, AppDbContext db, string arxivId, CancellationToken ct)
    {
        if (!ArxivId.TryParse(arxivId, out var id, out var error)) return Error(error);
        var items = await ListItems.LoadAsync(db, db.Papers.Named(id), 1, ct);
        if (items.Count == 0) return Error("Paper not found", StatusCodes.Status404NotFound);
        return TypedResults.Ok(HfMapping.Paper(items[0], FeedEndpoints.SiteUrl(ctx)));
    }
}
