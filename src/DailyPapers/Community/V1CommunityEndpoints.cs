using System.Globalization;
using System.Security.Claims;
using DailyPapers.Api;
using DailyPapers.Data;
using DailyPapers.Feeds;
using DailyPapers.Papers;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace DailyPapers.Community;

public sealed record V1Author(string Id, string Name, string Url);

/// <summary>
/// One comment of a thread. A comment deleted by its author stays as a tombstone (no author, no text) so its replies keep
/// their place; one hidden by a moderator keeps its author but not its text, as on the paper page.
/// </summary>
public sealed record V1Comment(
    long Id, long? ParentId, int Depth, V1Author? Author, string? Markdown, string? Html,
    DateTime CreatedAt, DateTime? EditedAt, bool Deleted, bool Hidden, string Url);

/// <summary>A paper's comments in thread order (depth first, oldest first among siblings); <c>Count</c> counts the visible ones.</summary>
public sealed record V1CommentThread(string ArxivId, int Count, IReadOnlyList<V1Comment> Comments);

public sealed record V1CommentInput(string? Markdown, long? ParentId);

public sealed record V1CommentEdit(string? Markdown);

public sealed record V1Vote(string ArxivId, bool Voted, int Upvotes);

public sealed record V1SubmissionInput(string? ArxivId);

public sealed record V1Submission(string ArxivId, DateTime SubmittedAt, V1Paper Paper);

/// <summary>Comments, votes and submissions under /api/v1: thin adapters over the same community operations the pages use.</summary>
public static class V1CommunityEndpoints
{
    public static RouteGroupBuilder MapCommunityV1(this RouteGroupBuilder v1)
    {
        // Paper-scoped routes take one path segment; an old-style id sends its slash encoded (hep-th%2F9901001).
        var papers = v1.MapGroup("/papers/{id}");

        var comments = papers.MapGroup("/comments").WithTags("Comments");
        comments.MapGet("/", ListComments).RequireCors(ApiSetup.ReadCors)
            .WithSummary("A paper's comments as a thread (no token needed: they are public on the paper page)")
            .WithDescription("Depth-first thread order with parentId and depth. Deleted comments are tombstones without author or text; hidden ones keep their author but not their text.");
        comments.MapPost("/", PostComment)
            .RequireAuthorization(ApiTokenAuthenticationHandler.WritePolicy)
            .WithSummary("Posts a comment, or a reply when parentId is given (write scope)")
            .WithDescription("The body is Markdown with $…$ math; raw HTML is not rendered and the result is sanitised exactly as on the paper page.");

        var own = v1.MapGroup("/comments").WithTags("Comments")
            .RequireAuthorization(ApiTokenAuthenticationHandler.WritePolicy);
        own.MapPatch("/{commentId:long}", EditComment).WithSummary("Edits one of the caller's comments (write scope)");
        own.MapDelete("/{commentId:long}", DeleteComment).WithSummary("Deletes one of the caller's comments, leaving a tombstone so replies keep their place (write scope)");

        var vote = papers.MapGroup("/vote").WithTags("Votes");
        vote.MapGet("/", GetVote).RequireAuthorization(ApiTokenAuthenticationHandler.ReadPolicy).RequireCors(ApiSetup.ReadCors)
            .WithSummary("Whether the caller has upvoted the paper, and its upvote count");
        vote.MapPut("/", (string id, ClaimsPrincipal user, VoteToggle votes, CancellationToken ct) => SetVote(id, user, votes, true, ct))
            .RequireAuthorization(ApiTokenAuthenticationHandler.WritePolicy)
            .WithSummary("Upvotes the paper; idempotent (write scope)");
        vote.MapDelete("/", (string id, ClaimsPrincipal user, VoteToggle votes, CancellationToken ct) => SetVote(id, user, votes, false, ct))
            .RequireAuthorization(ApiTokenAuthenticationHandler.WritePolicy)
            .WithSummary("Removes the caller's upvote; idempotent (write scope)");

        var submissions = v1.MapGroup("/submissions").WithTags("Submissions");
        submissions.MapGet("/", ListSubmissions).RequireAuthorization(ApiTokenAuthenticationHandler.ReadPolicy).RequireCors(ApiSetup.ReadCors)
            .WithSummary("The papers the caller submitted, newest first (the latest 100)");
        submissions.MapPost("/", Submit).RequireAuthorization(ApiTokenAuthenticationHandler.WritePolicy)
            .WithSummary("Submits a paper by arXiv id or URL (write scope)")
            .WithDescription("201 with the paper when it was added to today's list. A paper that is already here is a 409 problem whose 'arxivId' and 'paper' "
                + "members point to it. 400: not an arXiv id, or older than the submission window; 404: arXiv has no such paper; "
                + "429 with Retry-After: over the daily allowance; 503: arXiv did not answer.");
        return v1;
    }

    internal static async Task<Results<Ok<V1CommentThread>, ProblemHttpResult>> ListComments(
        HttpContext ctx, string id, AppDbContext db, CommentWriter writer, CancellationToken ct)
    {
        var (paper, problem) = await FindPaperAsync(db, id, ct);
        if (paper is null) return problem!;
        var all = await writer.ThreadAsync(paper.Id, ct);
        var site = FeedEndpoints.SiteUrl(ctx);
        var children = all.ToLookup(c => c.ParentId);
        var ordered = new List<V1Comment>(all.Count);
        // Iterative depth-first walk: a long reply chain must not recurse once per level.
        var stack = new Stack<(CommentView Comment, int Depth)>(children[null].Reverse().Select(c => (c, 0)));
        while (stack.Count > 0)
        {
            var (c, depth) = stack.Pop();
            ordered.Add(ToV1(c, depth, paper.ArxivId, site));
            foreach (var r in children[c.Id].Reverse()) stack.Push((r, depth + 1));
        }
        return TypedResults.Ok(new V1CommentThread(paper.ArxivId, all.Count(c => !c.Deleted && !c.Hidden), ordered));
    }

    internal static async Task<Results<Created<V1Comment>, ProblemHttpResult>> PostComment(
        HttpContext ctx, string id, [FromBody] V1CommentInput? body, ClaimsPrincipal user, AppDbContext db, CommentWriter writer, CancellationToken ct)
    {
        var (paper, problem) = await FindPaperAsync(db, id, ct);
        if (paper is null) return problem!;
        if (body is null) return Bad("Send a JSON body such as {\"markdown\": \"…\", \"parentId\": null}.");
        var (outcome, commentId, error, limit) = await writer.PostAsync(UserId(user), paper.Id, body.ParentId, body.Markdown, ct);
        return outcome switch
        {
            CommentOutcome.OverLimit => TooMany(ctx, limit!),
            CommentOutcome.Done when await LoadCommentAsync(ctx, db, commentId!.Value, ct) is { } c
                => TypedResults.Created($"{ApiSetup.V1Prefix}/papers/{Uri.EscapeDataString(paper.ArxivId)}/comments#c-{c.Id}", c),
            // The paper exists (checked above), so a missing target is the parent.
            CommentOutcome.NotFound => Bad(body.ParentId is null ? error ?? "That paper does not exist." : $"parentId {body.ParentId} is not a comment on this paper."),
            CommentOutcome.Invalid => Bad(error ?? "That comment is not valid."),
            _ => TypedResults.Problem(statusCode: 409, title: "Conflict", detail: "The comment changed while it was being posted; try again."),
        };
    }

    internal static async Task<Results<Ok<V1Comment>, ProblemHttpResult>> EditComment(
        HttpContext ctx, long commentId, [FromBody] V1CommentEdit? body, ClaimsPrincipal user, AppDbContext db, CommentWriter writer, CancellationToken ct)
    {
        if (body is null) return Bad("Send a JSON body such as {\"markdown\": \"…\"}.");
        var (outcome, _, error, limit) = await writer.EditAsync(UserId(user), commentId, body.Markdown, ct);
        if (outcome == CommentOutcome.Done && await LoadCommentAsync(ctx, db, commentId, ct) is { } c) return TypedResults.Ok(c);
        if (outcome == CommentOutcome.OverLimit) return TooMany(ctx, limit!);
        return OwnerProblem(outcome, commentId, error);
    }

    internal static async Task<Results<NoContent, ProblemHttpResult>> DeleteComment(long commentId, ClaimsPrincipal user, CommentWriter writer, CancellationToken ct)
    {
        var outcome = await writer.DeleteAsync(UserId(user), commentId, ct);
        return outcome == CommentOutcome.Done ? TypedResults.NoContent() : OwnerProblem(outcome, commentId, null);
    }

    internal static async Task<Results<Ok<V1Vote>, ProblemHttpResult>> GetVote(string id, ClaimsPrincipal user, VoteToggle votes, CancellationToken ct)
    {
        if (!TryParseId(id, out var arxivId, out var bad)) return bad;
        var state = await votes.GetAsync(UserId(user), arxivId, ct);
        return state is null ? NoPaper(arxivId) : TypedResults.Ok(new V1Vote(state.ArxivId, state.Voted, state.Upvotes));
    }

    private static async Task<Results<Ok<V1Vote>, ProblemHttpResult>> SetVote(string id, ClaimsPrincipal user, VoteToggle votes, bool on, CancellationToken ct)
    {
        if (!TryParseId(id, out var arxivId, out var bad)) return bad;
        var state = await votes.SetAsync(UserId(user), arxivId, on, ct);
        return state is null ? NoPaper(arxivId) : TypedResults.Ok(new V1Vote(state.ArxivId, state.Voted, state.Upvotes));
    }

    internal static async Task<Ok<List<V1Submission>>> ListSubmissions(HttpContext ctx, ClaimsPrincipal user, AppDbContext db, CancellationToken ct)
    {
        var me = UserId(user);
        var mine = await db.Set<Submission>().Where(s => s.UserId == me).OrderByDescending(s => s.CreatedAt).Take(100)
            .Select(s => new { s.PaperId, s.CreatedAt }).ToListAsync(ct);
        var items = await ListItems.LoadInOrderAsync(db, mine.ConvertAll(s => s.PaperId), ct);
        var site = FeedEndpoints.SiteUrl(ctx);
        var when = mine.ToDictionary(s => s.PaperId, s => DateTime.SpecifyKind(s.CreatedAt, DateTimeKind.Utc));
        return TypedResults.Ok(items.Select(i => new V1Submission(i.ArxivId, when[i.Id], V1Paper.From(i, site))).ToList());
    }

    internal static async Task<Results<Created<V1Submission>, ProblemHttpResult>> Submit(
        HttpContext ctx, [FromBody] V1SubmissionInput? body, ClaimsPrincipal user, AppDbContext db, Submissions submissions, TimeProvider clock, CancellationToken ct)
    {
        if (body is null) return Bad("Send a JSON body such as {\"arxivId\": \"2401.12345\"}.");
        var now = clock.GetUtcNow().UtcDateTime;
        var result = await submissions.SubmitAsync(UserId(user), body.ArxivId, now, ct);
        var site = FeedEndpoints.SiteUrl(ctx);
        switch (result.Outcome)
        {
            case SubmissionOutcome.Added:
                var item = (await ListItems.LoadAsync(db, db.Papers.Where(p => p.ArxivId == result.ArxivId), 1, ct))[0];
                return TypedResults.Created($"{ApiSetup.V1Prefix}/papers/{Uri.EscapeDataString(item.ArxivId)}", new V1Submission(item.ArxivId, now, V1Paper.From(item, site)));
            case SubmissionOutcome.Duplicate:
                // A conflict, as on the submit page; the problem points to the paper that is already here.
                return TypedResults.Problem(statusCode: 409, title: "Already here", detail: result.Message, extensions: new Dictionary<string, object?>
                {
                    ["arxivId"] = result.ArxivId,
                    ["paper"] = $"{site}{ApiSetup.V1Prefix}/papers/{result.ArxivId}",
                });
            case SubmissionOutcome.OverDailyLimit:
                // The allowance is per UTC day: the next one starts at midnight.
                var wait = (int)Math.Ceiling((DateOnly.FromDateTime(now).AddDays(1).ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc) - now).TotalSeconds);
                ctx.Response.Headers.RetryAfter = Math.Max(1, wait).ToString(CultureInfo.InvariantCulture);
                return TypedResults.Problem(statusCode: 429, title: "Daily submission limit reached", detail: result.Message);
            case SubmissionOutcome.UnknownPaper:
                return TypedResults.Problem(statusCode: 404, title: "Not found", detail: result.Message);
            case SubmissionOutcome.SourceUnavailable:
                return TypedResults.Problem(statusCode: 503, title: "arXiv unavailable", detail: result.Message);
            default:
                return Bad(result.Message);
        }
    }

    private sealed record PaperRef(long Id, string ArxivId);

    private static async Task<(PaperRef? Paper, ProblemHttpResult? Problem)> FindPaperAsync(AppDbContext db, string id, CancellationToken ct)
    {
        if (!TryParseId(id, out var arxivId, out var bad)) return (null, bad);
        var paper = await db.Papers.Named(arxivId).Select(p => new PaperRef(p.Id, p.ArxivId)).FirstOrDefaultAsync(ct);
        return paper is null ? (null, NoPaper(arxivId)) : (paper, null);
    }

    private static bool TryParseId(string raw, out ArxivId id, out ProblemHttpResult problem)
    {
        // Routing leaves an encoded slash (%2F) encoded in the value; old-style ids need it back.
        problem = null!;
        if (ArxivId.TryParse(Uri.UnescapeDataString(raw), out id, out var error)) return true;
        problem = Bad(error);
        return false;
    }

    private static ProblemHttpResult NoPaper(ArxivId id) => TypedResults.Problem(statusCode: 404, title: "Not found", detail: PaperLookup.NotHere(id));

    private static ProblemHttpResult TooMany(HttpContext ctx, TooManyRequests limit)
    {
        ctx.Response.Headers.RetryAfter = RateBudget.RetryAfterHeader(limit.Wait);
        return TypedResults.Problem(statusCode: 429, title: "Too many comments", detail: limit.Detail(ctx.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow()),
            extensions: new Dictionary<string, object?> { ["retryAfterSeconds"] = (int)Math.Ceiling(limit.Wait.TotalSeconds) });
    }

    private static ProblemHttpResult Bad(string detail) => TypedResults.Problem(statusCode: 400, title: "Invalid request", detail: detail);

    private static ProblemHttpResult OwnerProblem(CommentOutcome outcome, long commentId, string? error) => outcome switch
    {
        CommentOutcome.NotYours => TypedResults.Problem(statusCode: 403, title: "Forbidden", detail: "You can only change your own comments."),
        CommentOutcome.Invalid => Bad(error ?? "That comment is not valid."),
        _ => TypedResults.Problem(statusCode: 404, title: "Not found", detail: $"There is no comment {commentId}."),
    };

    private static string UserId(ClaimsPrincipal user) => user.FindFirstValue(ClaimTypes.NameIdentifier)!;

    private static async Task<V1Comment?> LoadCommentAsync(HttpContext ctx, AppDbContext db, long commentId, CancellationToken ct)
    {
        var row = await (from c in db.Set<Comment>()
                         join u in db.Users on c.UserId equals u.Id
                         join p in db.Papers on c.PaperId equals p.Id
                         where c.Id == commentId
                         select new
                         {
                             p.ArxivId,
                             View = new CommentView(c.Id, c.ParentId, c.UserId, u.DisplayName, c.Markdown, c.Html, c.CreatedAt, c.EditedAt, c.Deleted, c.Hidden),
                         }).FirstOrDefaultAsync(ct);
        if (row is null) return null;
        // The depth is the length of the parent chain, walked over the paper's (id, parent) pairs in one query.
        var parents = await db.Set<Comment>().Where(c => c.PaperId == db.Set<Comment>().Where(x => x.Id == commentId).Select(x => x.PaperId).First())
            .Select(c => new { c.Id, c.ParentId }).ToDictionaryAsync(c => c.Id, c => c.ParentId, ct);
        int depth = 0;
        for (var p = row.View.ParentId; p is { } pid && depth <= parents.Count; p = parents.GetValueOrDefault(pid)) depth++;
        return ToV1(row.View, depth, row.ArxivId, FeedEndpoints.SiteUrl(ctx));
    }

    private static V1Comment ToV1(CommentView c, int depth, string arxivId, string site)
    {
        var showText = !c.Deleted && !c.Hidden;
        return new V1Comment(
            c.Id, c.ParentId, depth,
            c.Deleted ? null : new V1Author(c.UserId, c.Author, $"{site}/users/{c.UserId}"),
            showText ? c.Markdown : null, showText ? c.Html : null,
            DateTime.SpecifyKind(c.CreatedAt, DateTimeKind.Utc), c.EditedAt is { } e ? DateTime.SpecifyKind(e, DateTimeKind.Utc) : null,
            c.Deleted, c.Hidden, $"{site}/papers/{arxivId}#c-{c.Id}");
    }
}
