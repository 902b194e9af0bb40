using DailyPapers.Data;
using DailyPapers.Papers;
using DailyPapers.Web;

namespace DailyPapers.Feeds;

/// <summary>
/// RSS 2.0 and Atom 1.0 for the lists. URL scheme:
/// <c>/feeds/latest.rss</c> (the latest day: the one to subscribe to), <c>/feeds/{date|week|month}/{value|latest}.{rss|atom}</c>,
/// each with an optional <c>?cat=cs.CL</c> (category) or <c>?cat=cs</c> (archive) filter.
/// Other lists (trending, search) become feeds by building a <see cref="FeedChannel"/> and their ordered papers and
/// calling <see cref="Respond"/>; see the marked place in <see cref="MapFeeds"/>.
/// </summary>
public static class FeedEndpoints
{
    /// <summary>The most a feed carries: a day has ~130 papers, and readers rarely want a month's thousands at once.</summary>
    public const int MaxItems = 100;
    private const string CacheControl = "public, max-age=300";
    /// <summary>Feed readers and link checkers probe with HEAD.</summary>
    internal static readonly string[] GetHead = ["GET", "HEAD"];

    public static IEndpointRouteBuilder MapFeeds(this IEndpointRouteBuilder app)
    {
        var feeds = app.MapGroup("/feeds").WithTags("Feeds").CacheOutput(CachePolicies.Lists);
        feeds.MapMethods("/latest.{format:regex(^(rss|atom)$)}", GetHead, (string format, string? cat, AppDbContext db, HttpContext ctx, CancellationToken ct) =>
            PeriodFeed(db, ctx, "date", "latest", format, cat, ct, selfPath: $"/feeds/latest.{format}"))
            .WithSummary("The latest day's papers (the feed to subscribe to)");
        feeds.MapMethods("/{segment:regex(^(date|week|month)$)}/{value}.{format:regex(^(rss|atom)$)}", GetHead,
            (string segment, string value, string format, string? cat, AppDbContext db, HttpContext ctx, CancellationToken ct) =>
                PeriodFeed(db, ctx, segment, value, format, cat, ct))
            .WithSummary("A day (YYYY-MM-DD), ISO week (YYYY-Www) or month (YYYY-MM), or 'latest' of each");
        feeds.MapMethods("/search.{format:regex(^(rss|atom)$)}", GetHead, SearchFeed)
            .WithSummary("The papers a search finds (q ≤ 250 characters), best first");
        feeds.MapMethods("/trending.{format:regex(^(rss|atom)$)}", GetHead, TrendingFeed)
            .WithSummary("What is rising across days, by the trending score of /papers/trending");
        return app;
    }

    private static async Task<IResult> TrendingFeed(string format, AppDbContext db, HttpContext ctx, CancellationToken ct)
    {
        var top = await Community.Trending.TopAsync(db, DateTime.UtcNow, MaxItems, ct);
        var items = await ListItems.LoadInOrderAsync(db, top.ConvertAll(t => t.Card.Id), ct);
        var site = SiteUrl(ctx);
        var channel = new FeedChannel(
            Title: "DailyPapers: trending",
            Description: "Papers rising on DailyPapers: votes here and imported, comments, stars and submissions, decayed by age relative to the newest list (see /papers/trending).",
            SelfUrl: $"{site}/feeds/trending.{format}",
            PageUrl: site + "/papers/trending",
            SiteUrl: site + "/",
            EmptyUpdated: DateTime.UnixEpoch);
        return Respond(ctx, format == "atom" ? FeedFormat.Atom : FeedFormat.Rss, channel, items);
    }

    private static async Task<IResult> PeriodFeed(AppDbContext db, HttpContext ctx, string segment, string value, string format, string? cat, CancellationToken ct, string? selfPath = null)
    {
        var fmt = format == "atom" ? FeedFormat.Atom : FeedFormat.Rss;
        string? view = ctx.Request.Query["view"];
        if (!ListViews.TryParse(view, out var listView))
            return Results.Problem(statusCode: 400, title: "Invalid view", detail: ListViews.Error);
        if (Categories.CodeError(cat) is { } badCategory)
            return Results.Problem(statusCode: 400, title: "Invalid category", detail: badCategory);
        ListPeriod period;
        if (value == "latest")
        {
            var latest = await PaperLists.LatestDayAsync(db, ct) ?? DateOnly.FromDateTime(DateTime.UtcNow);
            var kind = segment switch { "week" => PeriodKind.Week, "month" => PeriodKind.Month, _ => PeriodKind.Day };
            period = ListPeriod.Of(kind, latest);
        }
        else if (!ListPeriod.TryParse(segment, value, out period, out var error))
        {
            return Results.Problem(statusCode: 400, title: "Invalid period", detail: error);
        }

        var site = SiteUrl(ctx);
        var (papers, shown) = await PaperLists.InViewAsync(PaperLists.InPeriod(db, period, cat), listView, ct);
        var items = await ListItems.LoadAsync(db, papers.Ranked(), MaxItems, ct);
        var catSuffix = (cat is null ? "" : " · " + cat) + (listView == ListView.All ? " · all new papers" : "");
        var query = new List<string>(2);
        if (listView == ListView.All) query.Add("view=all");
        if (cat is not null) query.Add("cat=" + Uri.EscapeDataString(cat));
        var catQuery = query.Count == 0 ? "" : "?" + string.Join("&", query);
        var what = shown == ListView.All
            ? (listView == ListView.All ? "Every paper" : "Every paper (nobody has picked any yet)")
            : "The papers the community picked (submitted, upvoted, discussed or featured)";
        selfPath ??= $"/feeds/{segment}/{value}.{format}";
        var channel = new FeedChannel(
            Title: $"DailyPapers: {period.Title}{catSuffix}",
            Description: $"{what} listed on DailyPapers for {period.Title}{(cat is null ? "" : " in " + cat)}, best first. Add ?view={(listView == ListView.All ? "curated" : "all")} for {(listView == ListView.All ? "the community's picks" : "every new paper")}.",
            SelfUrl: site + selfPath + catQuery,
            PageUrl: site + period.Path + catQuery,
            SiteUrl: site + "/",
            EmptyUpdated: period.Start.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc));
        return Respond(ctx, fmt, channel, items);
    }

    private static async Task<IResult> SearchFeed(string format, string? q, AppDbContext db, DailyPapers.Search.PaperSearch search, HttpContext ctx, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(q) || q.Length > Api.HfEndpoints.MaxQueryLength)
            return Results.Problem(statusCode: 400, title: "Invalid search", detail: $"Give a search 'q' of 1 to {Api.HfEndpoints.MaxQueryLength} characters.");
        IReadOnlyList<ListItem> items;
        try
        {
            items = await global::DailyPapers.Search.SearchItems.LoadAsync(search, db, q, MaxItems, ct);
        }
        catch (DailyPapers.Search.SearchRequestException ex)
        {
            return Results.Problem(statusCode: 400, title: "Invalid search", detail: ex.Message);
        }
        var site = SiteUrl(ctx);
        var query = "?q=" + Uri.EscapeDataString(q);
        var channel = new FeedChannel(
            Title: $"DailyPapers: search for “{q}”",
            Description: $"Papers on DailyPapers matching “{q}”.",
            SelfUrl: $"{site}/feeds/search.{format}{query}",
            PageUrl: site + "/search" + query,
            SiteUrl: site + "/",
            EmptyUpdated: DateTime.UnixEpoch);
        return Respond(ctx, format == "atom" ? FeedFormat.Atom : FeedFormat.Rss, channel, items);
    }

    /// <summary>Writes a feed with ETag, Last-Modified and Cache-Control, or 304 when the reader has it already.</summary>
    public static IResult Respond(HttpContext ctx, FeedFormat format, FeedChannel channel, IReadOnlyList<ListItem> items)
    {
        var site = SiteUrl(ctx);
        var body = FeedWriter.Write(format, channel, items, i => $"{site}/papers/{i.ArxivId}");
        return ConditionalGet.Respond(ctx, body, FeedWriter.ContentType(format), FeedWriter.LastModified(channel, items), CacheControl);
    }

    /// <summary>The absolute base URL as the client reached us (put the app behind a proxy with forwarded headers for the public name).</summary>
    public static string SiteUrl(HttpContext ctx) => $"{ctx.Request.Scheme}://{ctx.Request.Host}{ctx.Request.PathBase}";
}

/// <summary>Feed URLs for a list page: autodiscovery tags and visible links.</summary>
public sealed record FeedLinks(string Title, string Rss, string Atom)
{
    /// <summary>The feed of the latest day (the front page), optionally one category.</summary>
    public static FeedLinks Latest(string? cat, ListView view = ListView.Curated) => new(
        (view == ListView.All ? "All new papers" : "Latest papers") + (cat is null ? "" : " in " + cat),
        "/feeds/latest.rss" + Query(cat, view), "/feeds/latest.atom" + Query(cat, view));

    public static FeedLinks For(PaperList list) => new(
        list.Period.Title + (list.Category is null ? "" : " in " + list.Category) + (list.View == ListView.All ? " (all new papers)" : ""),
        $"/feeds/{list.Period.Segment}/{list.Period.Value}.rss{Query(list.Category, list.View)}",
        $"/feeds/{list.Period.Segment}/{list.Period.Value}.atom{Query(list.Category, list.View)}");

    private static string Query(string? cat, ListView view)
    {
        var parts = new List<string>(2);
        if (view == ListView.All) parts.Add("view=all");
        if (cat is not null) parts.Add("cat=" + Uri.EscapeDataString(cat));
        return parts.Count == 0 ? "" : "?" + string.Join("&", parts);
    }
}
