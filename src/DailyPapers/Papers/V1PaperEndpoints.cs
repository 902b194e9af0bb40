using DailyPapers.Api;
using DailyPapers.Data;
using DailyPapers.Feeds;
using DailyPapers.Web;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace DailyPapers.Papers;

/// <summary>A paper in /api/v1.</summary>
public sealed record V1Paper(
    string ArxivId, int Version, string Title, IReadOnlyList<string> Authors, string Abstract, IReadOnlyList<string> Categories,
    DateOnly ListingDate, DateTime FirstSubmittedAt, DateTime LastUpdatedAt, int Upvotes, int CommentCount,
    string? Doi, string? JournalRef, string? Comments, string Url, string AbsUrl, string PdfUrl, V1Signals Signals)
{
    public static V1Paper From(ListItem i, string site) => new(
        i.ArxivId, i.LatestVersion, i.Title, i.Authors, i.Abstract, i.Categories, i.ListingDate, i.FirstSubmittedAt, i.LastUpdatedAt,
        i.Upvotes, i.CommentCount, i.Doi, i.JournalRef, i.Comments,
        $"{site}/papers/{i.ArxivId}", $"https://arxiv.org/abs/{i.ArxivId}", $"https://arxiv.org/pdf/{i.ArxivId}",
        V1Signals.From(i));
}

/// <summary>
/// A paper's signals besides this instance's own <c>upvotes</c> and <c>commentCount</c>: the imported ones (from
/// Hugging Face's history) apart, links, submitter, whether a moderator featured it, and the ranking score.
/// </summary>
public sealed record V1Signals(
    int ImportedUpvotes, int ImportedComments, string? GithubRepo, int? GithubStars, string? ProjectPage,
    string? Organization, string? OrganizationName, string? AiSummary, IReadOnlyList<string> AiKeywords,
    string? SubmittedBy, bool Featured, bool Curated, double Score)
{
    public static V1Signals From(ListItem i)
    {
        var g = i.Signals;
        var curated = g.Featured || g.Submitted || g.CuratedSource || i.Upvotes > 0 || i.CommentCount > 0 || g.HfUpvotes > 0 || g.HfComments > 0;
        var score = PaperSignals.Score(i.Upvotes, g.HfUpvotes, i.CommentCount, g.HfComments, g.GithubStars, g.Submitted, g.CuratedSource, g.Featured);
        return new(g.HfUpvotes, g.HfComments, g.GithubRepo, g.GithubStars, g.ProjectPage, g.Organization, g.OrganizationName,
            g.AiSummary, g.AiKeywords, i.DailySubmitter, g.Featured, curated, score);
    }
}

/// <summary>One page of a paper list; <c>Next</c> is the URL of the following page, or null on the last. <c>View</c> is the view shown ("curated" or "all", after any fallback).</summary>
public sealed record V1PaperPage(IReadOnlyList<V1Paper> Items, int Page, int PageSize, int Total, string? Next, string View);

/// <summary>The papers endpoints of /api/v1.</summary>
public static class V1PaperEndpoints
{
    public const int DefaultPageSize = 50;
    public const int MaxPageSize = 100;
    /// <summary>A range longer than a year is almost always a mistake (and a heavy count).</summary>
    public const int MaxRangeDays = 366;

    public static RouteGroupBuilder MapPapersV1(this RouteGroupBuilder v1)
    {
        var g = v1.MapGroup("/papers").WithTags("Papers").RequireCors(ApiSetup.ReadCors);
        g.MapGet("/", ListPapers)
            .WithSummary("Papers listed between two days (inclusive), optionally in one category or archive")
            .WithDescription("from and to are YYYY-MM-DD (default: the latest listing day); cat is a category (cs.CL) or archive (cs); view is curated (the default: papers with a community signal, or all when the range has none) or all. Newest day first, best signal score first within a day.");
        g.MapGet("/{**arxivId}", GetPaper).WithSummary("One paper by arXiv id (new-style 2401.12345 or old-style hep-th/9901001; with a version suffix, 404 unless that version is stored)");
        return v1;
    }

    internal static async Task<Results<Ok<V1PaperPage>, ProblemHttpResult>> ListPapers(
        HttpContext ctx, AppDbContext db, string? from, string? to, string? cat, string? page, string? pageSize, string? view, CancellationToken ct)
    {
        if (!ListViews.TryParse(view, out var listView)) return Bad(ListViews.Error);
        if (Categories.CodeError(cat) is { } badCategory) return Bad(badCategory);
        if (!QueryNumber.TryParse(page, 1, 1, 100_000, out var pageNo)) return Bad($"'page' must be a page number from 1, not '{page}'.");
        if (!QueryNumber.TryParse(pageSize, DefaultPageSize, 1, MaxPageSize, out var size)) return Bad($"'pageSize' must be between 1 and {MaxPageSize}, not '{pageSize}'.");
        DateOnly? fromDay = null, toDay = null;
        if (from is not null) { if (!TryDay(from, out var d)) return Bad($"'from' must be a date YYYY-MM-DD, not '{from}'."); fromDay = d; }
        if (to is not null) { if (!TryDay(to, out var d)) return Bad($"'to' must be a date YYYY-MM-DD, not '{to}'."); toDay = d; }
        if (fromDay is null || toDay is null)
        {
            var latest = await PaperLists.LatestDayAsync(db, ct) ?? DateOnly.FromDateTime(DateTime.UtcNow);
            toDay ??= fromDay is { } f && f > latest ? f : latest;
            fromDay ??= toDay;
        }
        if (fromDay > toDay) return Bad("'from' is after 'to'.");
        if (toDay.Value.DayNumber - fromDay.Value.DayNumber >= MaxRangeDays) return Bad($"A range may span at most {MaxRangeDays} days.");

        var (q, shown) = await PaperLists.InViewAsync(PaperLists.InPeriod(db, ListPeriod.Days(fromDay.Value, toDay.Value), cat), listView, ct);
        var total = await q.CountAsync(ct);
        var items = await ListItems.LoadAsync(db, q.NewestDayFirst().Skip((pageNo - 1) * size), size, ct);
        var site = FeedEndpoints.SiteUrl(ctx);
        string? next = pageNo * size < total
            ? $"{site}/api/v1/papers?from={fromDay:yyyy-MM-dd}&to={toDay:yyyy-MM-dd}{(cat is null ? "" : "&cat=" + Uri.EscapeDataString(cat))}{(listView == ListView.All ? "&view=all" : "")}&page={pageNo + 1}&pageSize={size}"
            : null;
        return TypedResults.Ok(new V1PaperPage(items.Select(i => V1Paper.From(i, site)).ToList(), pageNo, size, total, next, shown == ListView.All ? "all" : "curated"));
    }

    internal static async Task<Results<Ok<V1Paper>, ProblemHttpResult>> GetPaper(HttpContext ctx, AppDbContext db, string arxivId, CancellationToken ct)
    {
        if (!ArxivId.TryParse(arxivId, out var id, out var error)) return Bad(error);
        var items = await ListItems.LoadAsync(db, db.Papers.Named(id), 1, ct);
        return items.Count == 0
            ? TypedResults.Problem(statusCode: 404, title: "Not found", detail: PaperLookup.NotHere(id))
            : TypedResults.Ok(V1Paper.From(items[0], FeedEndpoints.SiteUrl(ctx)));
    }

    private static ProblemHttpResult Bad(string detail) => TypedResults.Problem(statusCode: 400, title: "Invalid request", detail: detail);

    private static bool TryDay(string s, out DateOnly d) => ListPeriod.TryParseDay(s, out d);
}
