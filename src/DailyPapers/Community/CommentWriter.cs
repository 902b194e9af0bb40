using DailyPapers.Data;
using DailyPapers.Web;
using Microsoft.AspNetCore.OutputCaching;
using Microsoft.EntityFrameworkCore;

namespace DailyPapers.Community;

/// <summary>A comment as a thread shows it.</summary>
public sealed record CommentView(
    long Id, long? ParentId, string UserId, string Author, string Markdown, string Html,
    DateTime CreatedAt, DateTime? EditedAt, bool Deleted, bool Hidden);

public enum CommentOutcome { Done, NotFound, NotYours, Invalid, OverLimit }

/// <summary>What a comment write came to: the comment's id when done, else what was wrong (and, over the budget, the wait).</summary>
public sealed record CommentResult(CommentOutcome Outcome, long? Id = null, string? Error = null, TooManyRequests? Limit = null);

/// <summary>Every change to comments (post, edit, delete, report, hide) and the paper's comment count that follows them.</summary>
public sealed class CommentWriter(AppDbContext db, IOutputCacheStore cache, CommunityLimits limits)
{
    public async Task<CommentResult> PostAsync(string userId, long paperId, long? parentId, string? markdown, CancellationToken ct = default)
    {
        if (CommentRules.TryRender(markdown, out var html) is { } error) return new(CommentOutcome.Invalid, null, error);
        if (!await db.Papers.AnyAsync(p => p.Id == paperId, ct)) return new(CommentOutcome.NotFound, null, "That paper does not exist.");
        if (parentId is { } pid && !await db.Set<Comment>().AnyAsync(c => c.Id == pid && c.PaperId == paperId && !c.Deleted, ct))
            return new(CommentOutcome.NotFound, null, "The comment you replied to no longer exists.");
        if (OverBudget(userId) is { } over) return over;
        var comment = new Comment
        {
            PaperId = paperId, ParentId = parentId, UserId = userId, Markdown = markdown!,
            Html = html, CreatedAt = DateTime.UtcNow,
        };
        db.Add(comment);
        await db.SaveChangesAsync(ct);
        db.ChangeTracker.Clear();
        await RecountAsync(paperId, ct);
        return new(CommentOutcome.Done, comment.Id);
    }

    public async Task<CommentResult> EditAsync(string userId, long commentId, string? markdown, CancellationToken ct = default)
    {
        if (CommentRules.TryRender(markdown, out var html) is { } error) return new(CommentOutcome.Invalid, commentId, error);
        if (!await db.Set<Comment>().AnyAsync(c => c.Id == commentId && c.UserId == userId && !c.Deleted, ct))
            return new(await OwnerOutcomeAsync(userId, commentId, ct), commentId);
        if (OverBudget(userId) is { } over) return over with { Id = commentId };
        var now = DateTime.UtcNow;
        var n = await db.Set<Comment>().Where(c => c.Id == commentId && c.UserId == userId && !c.Deleted)
            .ExecuteUpdateAsync(s => s.SetProperty(c => c.Markdown, markdown!).SetProperty(c => c.Html, html).SetProperty(c => c.EditedAt, now), ct);
        if (n == 0) return new(await OwnerOutcomeAsync(userId, commentId, ct), commentId);
        await cache.EvictByTagAsync(CachePolicies.PapersTag, ct);
        return new(CommentOutcome.Done, commentId);
    }

    /// <summary>Counts a new or edited comment against the member's budget, the same from the pages and the API; null while within it.</summary>
    private CommentResult? OverBudget(string userId)
    {
        if (limits.Comments.TryTake("user:" + userId, out var wait)) return null;
        var limit = new TooManyRequests($"You have written {limits.Comments.Permits} comments or edits in the last {RateBudget.Describe(limits.Comments.Window)}.", wait);
        return new(CommentOutcome.OverLimit, null, limit.Reason, limit);
    }

    /// <summary>The author's delete leaves a tombstone so that replies keep their parent.</summary>
    public async Task<CommentOutcome> DeleteAsync(string userId, long commentId, CancellationToken ct = default)
    {
        var paperId = await db.Set<Comment>().Where(c => c.Id == commentId && c.UserId == userId && !c.Deleted).Select(c => (long?)c.PaperId).FirstOrDefaultAsync(ct);
        if (paperId is null) return await OwnerOutcomeAsync(userId, commentId, ct);
        await db.Set<Comment>().Where(c => c.Id == commentId && c.UserId == userId)
            .ExecuteUpdateAsync(s => s.SetProperty(c => c.Deleted, true).SetProperty(c => c.Markdown, "").SetProperty(c => c.Html, ""), ct);
        await RecountAsync(paperId.Value, ct);
        return CommentOutcome.Done;
    }

    /// <summary>Files a report; a second report of the same comment by the same member changes nothing.</summary>
    public async Task<CommentOutcome> ReportAsync(string userId, long commentId, string? reason, CancellationToken ct = default)
    {
        if (!await db.Set<Comment>().AnyAsync(c => c.Id == commentId && !c.Deleted, ct)) return CommentOutcome.NotFound;
        if (await db.Set<CommentReport>().AnyAsync(r => r.CommentId == commentId && r.UserId == userId, ct)) return CommentOutcome.Done;
        reason = string.IsNullOrWhiteSpace(reason) ? "No reason given" : reason.Trim();
        if (reason.Length > 500) reason = reason[..500];
        db.Add(new CommentReport { CommentId = commentId, UserId = userId, Reason = reason, CreatedAt = DateTime.UtcNow });
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            // The unique (comment, user) index caught a concurrent duplicate: the report exists, which is what was asked.
        }
        db.ChangeTracker.Clear();
        return CommentOutcome.Done;
    }

    /// <summary>A moderator hides or shows a comment; either way its open reports are resolved.</summary>
    public async Task<CommentOutcome> SetHiddenAsync(string moderatorId, long commentId, bool hidden, CancellationToken ct = default)
    {
        var paperId = await db.Set<Comment>().Where(c => c.Id == commentId).Select(c => (long?)c.PaperId).FirstOrDefaultAsync(ct);
        if (paperId is null) return CommentOutcome.NotFound;
        await db.Set<Comment>().Where(c => c.Id == commentId).ExecuteUpdateAsync(s => s.SetProperty(c => c.Hidden, hidden), ct);
        await ResolveReportsAsync(moderatorId, commentId, ct);
        await RecountAsync(paperId.Value, ct);
        return CommentOutcome.Done;
    }

    public Task<int> ResolveReportsAsync(string moderatorId, long commentId, CancellationToken ct = default)
    {
        var now = DateTime.UtcNow;
        return db.Set<CommentReport>().Where(r => r.CommentId == commentId && r.ResolvedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.ResolvedAt, now).SetProperty(r => r.ResolvedBy, moderatorId), ct);
    }

    private async Task RecountAsync(long paperId, CancellationToken ct)
    {
        await RecountAsync(db, paperId, ct);
        await cache.EvictByTagAsync(CachePolicies.PapersTag, ct);
    }

    /// <summary>Sets a paper's comment count from its rows, visible comments only: neither deleted by the author nor hidden by a moderator.</summary>
    internal static Task RecountAsync(AppDbContext db, long paperId, CancellationToken ct) =>
        db.Database.ExecuteSqlAsync(
            $"UPDATE papers SET \"CommentCount\" = (SELECT COUNT(*) FROM comments WHERE \"PaperId\" = {paperId} AND NOT \"Deleted\" AND NOT \"Hidden\") WHERE \"Id\" = {paperId}", ct);

    private async Task<CommentOutcome> OwnerOutcomeAsync(string userId, long commentId, CancellationToken ct) =>
        await db.Set<Comment>().AnyAsync(c => c.Id == commentId && !c.Deleted, ct) ? CommentOutcome.NotYours : CommentOutcome.NotFound;

    /// <summary>A paper's comments, oldest first, with author names.</summary>
    public Task<List<CommentView>> ThreadAsync(long paperId, CancellationToken ct = default) =>
        (from c in db.Set<Comment>()
         join u in db.Users on c.UserId equals u.Id
         where c.PaperId == paperId
         orderby c.CreatedAt, c.Id
         select new CommentView(c.Id, c.ParentId, c.UserId, u.DisplayName, c.Markdown, c.Html, c.CreatedAt, c.EditedAt, c.Deleted, c.Hidden))
        .ToListAsync(ct);
}
