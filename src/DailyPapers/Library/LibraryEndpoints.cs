using System.Text;
using DailyPapers.Community;
using DailyPapers.Data;
using DailyPapers.Feeds;
using DailyPapers.Papers;
using DailyPapers.Web;
using Microsoft.EntityFrameworkCore;

namespace DailyPapers.Library;

/// <summary>
/// The library's non-page routes: collection exports (BibTeX, RIS) and the private feeds (For you, saved searches),
/// whose URLs carry a secret token; a wrong token is a 404 like any unknown URL, so tokens can't be probed.
/// </summary>
public static class LibraryEndpoints
{
    /// <summary>Private to whoever holds the URL: browsers and proxies must not keep a shared copy.</summary>
    private const string PrivateCache = "private, max-age=300";

    public static IEndpointRouteBuilder MapLibraryRoutes(this IEndpointRouteBuilder app)
    {
        app.MapMethods("/c/{slug}/export.{format:regex(^(bib|ris)$)}", FeedEndpoints.GetHead, ExportCollection).WithTags("Library")
            .WithSummary("A collection as BibTeX or RIS: public collections for anyone, private ones for their owner");
        var feeds = app.MapGroup("/feeds").WithTags("Feeds");
        feeds.MapMethods("/for-you/{token}.{format:regex(^(rss|atom)$)}", FeedEndpoints.GetHead, ForYouFeed)
            .WithSummary("A member's For you list of the latest day (private URL: the token is the member's feed secret)");
        feeds.MapMethods("/saved/{token}.{format:regex(^(rss|atom)$)}", FeedEndpoints.GetHead, SavedSearchFeed)
            .WithSummary("The papers a member's saved search finds (private URL: the token is that search's feed secret)");
        return app;
    }

    /// <summary>The collection at /c/{slug} when the caller may read it: it is public, or theirs.</summary>
    public static async Task<Collection?> ReadableAsync(AppDbContext db, HttpContext ctx, string? slug, CancellationToken ct)
    {
        // Page model binding turns a blank route value (/c/%20) into null.
        if (string.IsNullOrEmpty(slug) || slug.Length > 32) return null;
        var c = await db.Set<Collection>().FirstOrDefaultAsync(x => x.ShareSlug == slug, ct);
        if (c is null) return null;
        var me = ctx.User.Identity?.IsAuthenticated == true ? CommunitySetup.UserIdOf(ctx) : null;
        return c.IsPublic || c.UserId == me ? c : null;
    }

    private static async Task<IResult> ExportCollection(string slug, string format, AppDbContext db, HttpContext ctx, CancellationToken ct)
    {
        if (await ReadableAsync(db, ctx, slug, ct) is not { } c)
            return Results.Problem(statusCode: 404, title: "Not found", detail: "There is no such collection, or it is private.");
        var ids = (await Collections.ItemsAsync(db, c.Id, ct)).ConvertAll(i => i.PaperId);
        var items = await ListItems.LoadInOrderAsync(db, ids, ct);
        var text = format == "bib" ? Citations.BibTex(items) : Citations.Ris(items);
        var file = new string(c.Name.Select(ch => char.IsLetterOrDigit(ch) ? ch : '-').ToArray()).Trim('-');
        ctx.Response.Headers.ContentDisposition = $"attachment; filename=\"{(file.Length == 0 ? "collection" : file)}.{format}\"";
        var modified = items.Count == 0 ? c.CreatedAt : items.Max(i => i.LastUpdatedAt);
        return ConditionalGet.Respond(ctx, Encoding.UTF8.GetBytes(text), format == "bib" ? Citations.BibTexType : Citations.RisType,
            DateTime.SpecifyKind(modified, DateTimeKind.Utc), c.IsPublic ? "public, max-age=300" : "private, no-cache");
    }

    private static IResult NoFeed() => Results.Problem(statusCode: 404, title: "Not found", detail: "There is no feed at this address.");

    private static async Task<IResult> ForYouFeed(string token, string format, AppDbContext db, Search.PaperSearch search, HttpContext ctx, CancellationToken ct)
    {
        var owner = token.Length is > 0 and <= 64 ? await db.Set<ForYouFeed>().Where(f => f.Token == token).Select(f => f.UserId).FirstOrDefaultAsync(ct) : null;
        if (owner is null) return NoFeed();
        var result = await ForYouRanking.RankAsync(db, search, owner, ForYouPeriod.Today, FeedEndpoints.MaxItems, ct);
        var items = await ListItems.LoadInOrderAsync(db, result.Items.Select(i => i.PaperId).ToList(), ct);
        var site = FeedEndpoints.SiteUrl(ctx);
        var channel = new FeedChannel(
            Title: "DailyPapers: for you",
            Description: result.Personalised ? "The latest day's new papers ranked for you." : "The latest day's papers picked by the community (upvote, save and follow to personalise this feed).",
            SelfUrl: $"{site}/feeds/for-you/{token}.{format}",
            PageUrl: site + "/for-you",
            SiteUrl: site + "/",
            EmptyUpdated: result.Window.Start.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc));
        return Respond(ctx, format, channel, items);
    }

    private static async Task<IResult> SavedSearchFeed(string token, string format, AppDbContext db, Search.PaperSearch search, HttpContext ctx, CancellationToken ct)
    {
        var saved = token.Length is > 0 and <= 64 ? await db.Set<SavedSearch>().FirstOrDefaultAsync(s => s.FeedToken == token, ct) : null;
        if (saved is null) return NoFeed();
        var ids = await SavedSearches.RunAsync(search, saved, null, FeedEndpoints.MaxItems, ct);
        var items = await ListItems.LoadInOrderAsync(db, ids, ct);
        var site = FeedEndpoints.SiteUrl(ctx);
        var channel = new FeedChannel(
            Title: $"DailyPapers: {saved.Name}",
            Description: $"Papers on DailyPapers matching the saved search “{saved.Query}”.",
            SelfUrl: $"{site}/feeds/saved/{token}.{format}",
            PageUrl: $"{site}/for-you?search={saved.Id}",
            SiteUrl: site + "/",
            EmptyUpdated: DateTime.SpecifyKind(saved.CreatedAt, DateTimeKind.Utc));
        return Respond(ctx, format, channel, items);
    }

    private static IResult Respond(HttpContext ctx, string format, FeedChannel channel, IReadOnlyList<ListItem> items)
    {
        var site = FeedEndpoints.SiteUrl(ctx);
        var fmt = format == "atom" ? FeedFormat.Atom : FeedFormat.Rss;
        var body = FeedWriter.Write(fmt, channel, items, i => $"{site}/papers/{i.ArxivId}");
        return ConditionalGet.Respond(ctx, body, FeedWriter.ContentType(fmt), FeedWriter.LastModified(channel, items), PrivateCache);
    }

    /// <summary>The member's For you feed token, made on first use.</summary>
    public static async Task<string> ForYouFeedTokenAsync(AppDbContext db, string userId, bool renew, CancellationToken ct)
    {
        var row = await db.Set<ForYouFeed>().FirstOrDefaultAsync(f => f.UserId == userId, ct);
        if (row is not null && !renew) return row.Token;
        if (row is not null)
        {
            var fresh = Collections.NewSecret(24);
            await db.Set<ForYouFeed>().Where(f => f.UserId == userId).ExecuteUpdateAsync(u => u.SetProperty(f => f.Token, fresh), ct);
            return fresh;
        }
        db.Add(row = new ForYouFeed { UserId = userId, Token = Collections.NewSecret(24), CreatedAt = DateTime.UtcNow });
        try { await db.SaveChangesAsync(ct); }
        catch (DbUpdateException)
        {
            db.ChangeTracker.Clear();
            return (await db.Set<ForYouFeed>().FirstAsync(f => f.UserId == userId, ct)).Token;
        }
        return row.Token;
    }
}
