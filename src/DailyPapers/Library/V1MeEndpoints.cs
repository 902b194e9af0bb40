using System.Security.Claims;
using DailyPapers.Api;
using DailyPapers.Data;
using DailyPapers.Feeds;
using DailyPapers.Papers;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace DailyPapers.Library;

public sealed record V1Recommendation(string Reason, double Score, V1Paper Paper);
public sealed record V1Recommendations(string Period, DateOnly From, DateOnly To, bool Personalised, int Positives, IReadOnlyList<V1Recommendation> Items);
public sealed record V1Collection(long Id, string Name, bool IsDefault, bool IsPublic, string? PublicUrl, int Count, DateTime CreatedAt);
public sealed record V1CollectionInput(string? Name, bool? IsPublic);
public sealed record V1CollectionItem(string ArxivId, string Title, string? Note, DateTime? ReadAt, DateTime AddedAt);
public sealed record V1CollectionDetail(V1Collection Collection, IReadOnlyList<V1CollectionItem> Items);
public sealed record V1ItemInput(string? ArxivId, string? Note, bool? Read);
public sealed record V1ItemEdit(string? Note, bool? Read);
public sealed record V1Follow(string Kind, string Name, string? Url);
public sealed record V1FollowInput(string? Kind, string? Name);
public sealed record V1SavedSearch(long Id, string Name, string Query, string Mode, string? Category, DateOnly? From, DateOnly? To, string? Author, string RssUrl, string AtomUrl);
public sealed record V1SavedSearchInput(string? Name, string? Query, string? Mode, string? Category, DateOnly? From, DateOnly? To, string? Author);

/// <summary>
/// The caller's own library, follows, saved searches, feedback and recommendations under /api/v1/me: reads need a read
/// or write token, changes a write token. Everything is the token owner's alone; another member's collection ids are
/// 404 here, exactly like ids that don't exist.
/// </summary>
public static class V1MeEndpoints
{
    public static RouteGroupBuilder MapMeV1(this RouteGroupBuilder v1)
    {
        var me = v1.MapGroup("/me").WithTags("Me");
        const string R = ApiTokenAuthenticationHandler.ReadPolicy, W = ApiTokenAuthenticationHandler.WritePolicy;
        me.MapGet("/recommendations", Recommendations).RequireAuthorization(R)
            .WithSummary("Your For you list: today's, this week's or this month's new papers ranked for you (period=today|week|month, limit ≤ 100)")
            .WithDescription("The same ranking as /for-you. personalised is false while you have no upvotes, saves, follows or saved searches: the items are then the period's community picks.");
        me.MapGet("/collections", ListCollections).RequireAuthorization(R).WithSummary("Your collections");
        me.MapPost("/collections", CreateCollection).RequireAuthorization(W).WithSummary("Creates a collection {\"name\", \"isPublic\"} (write scope)");
        me.MapGet("/collections/{id:long}", GetCollection).RequireAuthorization(R).WithSummary("One of your collections with its papers, newest first");
        me.MapPatch("/collections/{id:long}", EditCollection).RequireAuthorization(W).WithSummary("Renames a collection or makes it public/private (write scope)");
        me.MapDelete("/collections/{id:long}", DeleteCollection).RequireAuthorization(W).WithSummary("Deletes a collection and its items (write scope)");
        me.MapPost("/collections/{id:long}/items", AddItem).RequireAuthorization(W).WithSummary("Adds a paper {\"arxivId\", \"note\"?, \"read\"?}; idempotent (write scope)");
        me.MapPatch("/collections/{id:long}/items/{arxivId}", EditItem).RequireAuthorization(W).WithSummary("Sets an item's note or read mark (write scope)");
        me.MapDelete("/collections/{id:long}/items/{arxivId}", RemoveItem).RequireAuthorization(W).WithSummary("Removes a paper from a collection (write scope)");
        me.MapGet("/follows", ListFollows).RequireAuthorization(R).WithSummary("The authors and categories you follow");
        me.MapPost("/follows", (V1FollowInput? body, ClaimsPrincipal user, AppDbContext db, CancellationToken ct) => SetFollow(body, user, db, true, ct))
            .RequireAuthorization(W).WithSummary("Follows {\"kind\": \"author|category\", \"name\"}; idempotent (write scope)");
        me.MapDelete("/follows/{kind}/{name}", (string kind, string name, ClaimsPrincipal user, AppDbContext db, CancellationToken ct) =>
            SetFollow(new V1FollowInput(kind, Uri.UnescapeDataString(name)), user, db, false, ct))
            .RequireAuthorization(W).WithSummary("Unfollows an author or category; idempotent (write scope)");
        me.MapGet("/saved-searches", ListSearches).RequireAuthorization(R).WithSummary("Your saved searches with their private feed URLs");
        me.MapPost("/saved-searches", CreateSearch).RequireAuthorization(W).WithSummary("Saves a search {\"query\", \"mode\"?, \"category\"?, \"from\"?, \"to\"?, \"author\"?, \"name\"?} (write scope)");
        me.MapDelete("/saved-searches/{id:long}", DeleteSearch).RequireAuthorization(W).WithSummary("Deletes a saved search and its feed (write scope)");
        me.MapGet("/feedback/not-interested", ListNotInterested).RequireAuthorization(R).WithSummary("Papers you marked \"not interested\", newest first");
        me.MapPut("/feedback/not-interested/{arxivId}", (string arxivId, ClaimsPrincipal user, AppDbContext db, CancellationToken ct) => SetNotInterested(arxivId, user, db, true, ct))
            .RequireAuthorization(W).WithSummary("Marks a paper \"not interested\": it leaves your For you and lowers similar papers; idempotent (write scope)");
        me.MapDelete("/feedback/not-interested/{arxivId}", (string arxivId, ClaimsPrincipal user, AppDbContext db, CancellationToken ct) => SetNotInterested(arxivId, user, db, false, ct))
            .RequireAuthorization(W).WithSummary("Takes back \"not interested\"; idempotent (write scope)");
        return v1;
    }

    private static string UserId(ClaimsPrincipal user) => user.FindFirstValue(ClaimTypes.NameIdentifier)!;
    private static ProblemHttpResult Bad(string detail) => TypedResults.Problem(statusCode: 400, title: "Invalid request", detail: detail);
    private static ProblemHttpResult NoCollection(long id) => TypedResults.Problem(statusCode: 404, title: "Not found", detail: $"You have no collection {id}.");

    internal static async Task<Results<Ok<V1Recommendations>, ProblemHttpResult>> Recommendations(
        HttpContext ctx, string? period, int? limit, ClaimsPrincipal user, AppDbContext db, Search.PaperSearch search, CancellationToken ct)
    {
        if (!ForYouRanking.TryParsePeriod(period, out var p)) return Bad(ForYouRanking.PeriodError);
        var take = limit ?? 50;
        if (take is < 1 or > 100) return Bad("limit must be between 1 and 100.");
        var result = await ForYouRanking.RankAsync(db, search, UserId(user), p, take, ct);
        var items = await ListItems.LoadInOrderAsync(db, result.Items.Select(i => i.PaperId).ToList(), ct);
        var site = FeedEndpoints.SiteUrl(ctx);
        var byId = result.Items.ToDictionary(i => i.PaperId);
        return TypedResults.Ok(new V1Recommendations(p.ToString().ToLowerInvariant(), result.Window.Start, result.Window.Last, result.Personalised, result.Positives,
            items.Select(i => new V1Recommendation(byId[i.Id].Reason, Math.Round(byId[i.Id].Score, 6), V1Paper.From(i, site))).ToList()));
    }

    private static async Task<V1Collection> ToV1Async(HttpContext ctx, AppDbContext db, Collection c, CancellationToken ct) =>
        new(c.Id, c.Name, c.IsDefault, c.IsPublic, c.IsPublic ? $"{FeedEndpoints.SiteUrl(ctx)}/c/{c.ShareSlug}" : null,
            await db.Set<CollectionItem>().CountAsync(i => i.CollectionId == c.Id, ct), DateTime.SpecifyKind(c.CreatedAt, DateTimeKind.Utc));

    internal static async Task<Ok<List<V1Collection>>> ListCollections(HttpContext ctx, ClaimsPrincipal user, AppDbContext db, CancellationToken ct)
    {
        var list = new List<V1Collection>();
        foreach (var c in await Collections.ListAsync(db, UserId(user), ct)) list.Add(await ToV1Async(ctx, db, c, ct));
        return TypedResults.Ok(list);
    }

    internal static async Task<Results<Created<V1Collection>, ProblemHttpResult>> CreateCollection(
        HttpContext ctx, [FromBody] V1CollectionInput? body, ClaimsPrincipal user, AppDbContext db, CancellationToken ct)
    {
        if (body is null) return Bad("Send a JSON body such as {\"name\": \"To read\", \"isPublic\": false}.");
        var (c, error) = await Collections.CreateAsync(db, UserId(user), body.Name, body.IsPublic ?? false, ct);
        if (c is null) return error!.StartsWith("You already", StringComparison.Ordinal) ? TypedResults.Problem(statusCode: 409, title: "Conflict", detail: error) : Bad(error);
        return TypedResults.Created($"{ApiSetup.V1Prefix}/me/collections/{c.Id}", await ToV1Async(ctx, db, c, ct));
    }

    internal static async Task<Results<Ok<V1CollectionDetail>, ProblemHttpResult>> GetCollection(HttpContext ctx, long id, ClaimsPrincipal user, AppDbContext db, CancellationToken ct)
    {
        if (await Collections.OwnedAsync(db, UserId(user), id, ct) is not { } c) return NoCollection(id);
        var items = await Collections.ItemsAsync(db, c.Id, ct);
        return TypedResults.Ok(new V1CollectionDetail(await ToV1Async(ctx, db, c, ct), items.ConvertAll(ToV1)));
    }

    private static V1CollectionItem ToV1(SavedItem i) => new(i.ArxivId, PaperText.Text(i.Title), i.Note,
        i.ReadAt is { } r ? DateTime.SpecifyKind(r, DateTimeKind.Utc) : null, DateTime.SpecifyKind(i.AddedAt, DateTimeKind.Utc));

    internal static async Task<Results<Ok<V1Collection>, ProblemHttpResult>> EditCollection(
        HttpContext ctx, long id, [FromBody] V1CollectionInput? body, ClaimsPrincipal user, AppDbContext db, CancellationToken ct)
    {
        if (body is null) return Bad("Send a JSON body such as {\"name\": \"New name\"} or {\"isPublic\": true}.");
        if (await Collections.OwnedAsync(db, UserId(user), id, ct) is not { } c) return NoCollection(id);
        if (await Collections.UpdateAsync(db, c, body.Name, body.IsPublic, ct) is { } error) return Bad(error);
        return TypedResults.Ok(await ToV1Async(ctx, db, c, ct));
    }

    internal static async Task<Results<NoContent, ProblemHttpResult>> DeleteCollection(long id, ClaimsPrincipal user, AppDbContext db, CancellationToken ct) =>
        await Collections.DeleteAsync(db, UserId(user), id, ct) > 0 ? TypedResults.NoContent() : NoCollection(id);

    private static async Task<(long? PaperId, ProblemHttpResult? Problem)> PaperAsync(AppDbContext db, string? raw, CancellationToken ct)
    {
        if (!ArxivId.TryParse(raw is null ? null : Uri.UnescapeDataString(raw), out var arxivId, out var error)) return (null, Bad(error));
        var id = await db.Papers.Named(arxivId).Select(p => (long?)p.Id).FirstOrDefaultAsync(ct);
        return id is null ? (null, TypedResults.Problem(statusCode: 404, title: "Not found", detail: PaperLookup.NotHere(arxivId))) : (id, null);
    }

    internal static async Task<Results<Created<V1CollectionItem>, ProblemHttpResult>> AddItem(
        long id, [FromBody] V1ItemInput? body, ClaimsPrincipal user, AppDbContext db, CancellationToken ct)
    {
        if (body is null) return Bad("Send a JSON body such as {\"arxivId\": \"2401.12345\", \"note\": \"…\"}.");
        if (await Collections.OwnedAsync(db, UserId(user), id, ct) is not { } c) return NoCollection(id);
        if (Collections.NoteProblem(body.Note) is { } bad) return Bad(bad);
        var (paperId, problem) = await PaperAsync(db, body.ArxivId, ct);
        if (problem is not null) return problem;
        if (!await Collections.AddAsync(db, c, paperId!.Value, ct)) return TypedResults.Problem(statusCode: 409, title: "Library full", detail: $"Your library holds {Collections.MaxItems:N0} papers, the most it can.");
        if (body.Note is not null || body.Read is not null) await Collections.UpdateItemAsync(db, c.Id, paperId.Value, body.Note, body.Read, ct);
        var item = (await Collections.ItemsAsync(db, c.Id, ct)).First(i => i.PaperId == paperId);
        return TypedResults.Created($"{ApiSetup.V1Prefix}/me/collections/{c.Id}", ToV1(item));
    }

    internal static async Task<Results<Ok<V1CollectionItem>, ProblemHttpResult>> EditItem(
        long id, string arxivId, [FromBody] V1ItemEdit? body, ClaimsPrincipal user, AppDbContext db, CancellationToken ct)
    {
        if (body is null) return Bad("Send a JSON body such as {\"note\": \"…\"} or {\"read\": true}.");
        if (await Collections.OwnedAsync(db, UserId(user), id, ct) is not { } c) return NoCollection(id);
        if (Collections.NoteProblem(body.Note) is { } bad) return Bad(bad);
        var (paperId, problem) = await PaperAsync(db, arxivId, ct);
        if (problem is not null) return problem;
        if (await Collections.UpdateItemAsync(db, c.Id, paperId!.Value, body.Note, body.Read, ct) == 0)
            return TypedResults.Problem(statusCode: 404, title: "Not found", detail: $"{arxivId} is not in that collection.");
        return TypedResults.Ok(ToV1((await Collections.ItemsAsync(db, c.Id, ct)).First(i => i.PaperId == paperId)));
    }

    internal static async Task<Results<NoContent, ProblemHttpResult>> RemoveItem(long id, string arxivId, ClaimsPrincipal user, AppDbContext db, CancellationToken ct)
    {
        if (await Collections.OwnedAsync(db, UserId(user), id, ct) is not { } c) return NoCollection(id);
        var (paperId, problem) = await PaperAsync(db, arxivId, ct);
        if (problem is not null) return problem;
        await Collections.RemoveAsync(db, c.Id, paperId!.Value, ct);
        return TypedResults.NoContent();
    }

    private static V1Follow ToV1(HttpContext ctx, Follow f) => new(f.Kind.ToString().ToLowerInvariant(), f.Display,
        f.Kind == FollowKind.Author ? $"{FeedEndpoints.SiteUrl(ctx)}/authors/{Uri.EscapeDataString(f.Display)}" : null);

    internal static async Task<Ok<List<V1Follow>>> ListFollows(HttpContext ctx, ClaimsPrincipal user, AppDbContext db, CancellationToken ct) =>
        TypedResults.Ok((await Follows.ListAsync(db, UserId(user), ct)).ConvertAll(f => ToV1(ctx, f)));

    private static async Task<Results<NoContent, ProblemHttpResult>> SetFollow(V1FollowInput? body, ClaimsPrincipal user, AppDbContext db, bool on, CancellationToken ct)
    {
        if (body is null) return Bad("Send a JSON body such as {\"kind\": \"author\", \"name\": \"Yoshua Bengio\"}.");
        FollowKind kind;
        switch (body.Kind?.Trim().ToLowerInvariant())
        {
            case "author": kind = FollowKind.Author; break;
            case "category": kind = FollowKind.Category; break;
            default: return Bad("kind must be author or category.");
        }
        var error = await Follows.SetAsync(db, UserId(user), kind, body.Name, on, ct);
        return error is null ? TypedResults.NoContent() : Bad(error);
    }

    private static V1SavedSearch ToV1(HttpContext ctx, SavedSearch s)
    {
        var site = FeedEndpoints.SiteUrl(ctx);
        return new(s.Id, s.Name, s.Query, s.Mode, s.Category, s.From, s.To, s.Author, $"{site}/feeds/saved/{s.FeedToken}.rss", $"{site}/feeds/saved/{s.FeedToken}.atom");
    }

    internal static async Task<Ok<List<V1SavedSearch>>> ListSearches(HttpContext ctx, ClaimsPrincipal user, AppDbContext db, CancellationToken ct) =>
        TypedResults.Ok((await SavedSearches.ListAsync(db, UserId(user), ct)).ConvertAll(s => ToV1(ctx, s)));

    internal static async Task<Results<Created<V1SavedSearch>, ProblemHttpResult>> CreateSearch(
        HttpContext ctx, [FromBody] V1SavedSearchInput? body, ClaimsPrincipal user, AppDbContext db, CancellationToken ct)
    {
        if (body is null) return Bad("Send a JSON body such as {\"query\": \"diffusion policy\", \"mode\": \"hybrid\"}.");
        var (s, error) = await SavedSearches.CreateAsync(db, UserId(user), body.Name,
            new Search.SearchRequest(body.Query, body.Mode, body.Category, body.From, body.To, body.Author), ct);
        return s is null ? Bad(error!) : TypedResults.Created($"{ApiSetup.V1Prefix}/me/saved-searches/{s.Id}", ToV1(ctx, s));
    }

    internal static async Task<Results<NoContent, ProblemHttpResult>> DeleteSearch(long id, ClaimsPrincipal user, AppDbContext db, CancellationToken ct) =>
        await SavedSearches.DeleteAsync(db, UserId(user), id, ct) > 0 ? TypedResults.NoContent()
            : TypedResults.Problem(statusCode: 404, title: "Not found", detail: $"You have no saved search {id}.");

    internal static async Task<Ok<List<string>>> ListNotInterested(ClaimsPrincipal user, AppDbContext db, CancellationToken ct)
    {
        var me = UserId(user);
        return TypedResults.Ok(await (from n in db.Set<NotInterested>()
                                      join p in db.Papers on n.PaperId equals p.Id
                                      where n.UserId == me
                                      orderby n.CreatedAt descending
                                      select p.ArxivId).ToListAsync(ct));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> SetNotInterested(string arxivId, ClaimsPrincipal user, AppDbContext db, bool on, CancellationToken ct)
    {
        var (paperId, problem) = await PaperAsync(db, arxivId, ct);
        if (problem is not null) return problem;
        await Feedback.SetNotInterestedAsync(db, UserId(user), paperId!.Value, on, ct);
        return TypedResults.NoContent();
    }
}
