using DailyPapers.Api;
using DailyPapers.Data;
using DailyPapers.Digest;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace DailyPapers.Community;

/// <summary>What deleting an account removed, for the page that confirms it.</summary>
public sealed record DeletedAccount(int Votes, int Comments, int RepliesKept, int Tokens, bool DigestUnsubscribed);

/// <summary>
/// Deletes a member and everything that is theirs, in one transaction: votes (paper counts recomputed), comments,
/// submissions' attribution, library, notes, follows, saved searches, feedback and the fitted model (all by cascade from
/// the account row), API tokens, and their digest subscription is unsubscribed. Other members' replies to a deleted
/// comment stay, moved up to the nearest remaining ancestor, so a thread never loses somebody else's words.
/// </summary>
public static class AccountDeletion
{
    public static async Task<DeletedAccount> DeleteAsync(AppDbContext db, UserManager<AppUser> users, AppUser user, CancellationToken ct = default)
    {
        var strategy = db.Database.CreateExecutionStrategy();
        return await strategy.ExecuteAsync(async () =>
        {
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            var me = user.Id;
            var votedPapers = await db.Set<Vote>().Where(v => v.UserId == me).Select(v => v.PaperId).ToListAsync(ct);
            var mine = await db.Set<Comment>().Where(c => c.UserId == me).Select(c => new { c.Id, c.ParentId, c.PaperId }).ToListAsync(ct);
            var commentedPapers = mine.Select(c => c.PaperId).Distinct().ToList();

            // Replies by others to a comment being deleted: re-parent each to the closest ancestor that is not the member's.
            var parentOf = mine.ToDictionary(c => c.Id, c => c.ParentId);
            var mineIds = parentOf.Keys.ToList();
            var orphans = mineIds.Count == 0 ? [] : await db.Set<Comment>()
                .Where(c => c.UserId != me && c.ParentId != null && mineIds.Contains(c.ParentId.Value))
                .Select(c => new { c.Id, Parent = c.ParentId!.Value }).ToListAsync(ct);
            foreach (var o in orphans)
            {
                long? up = parentOf[o.Parent];
                while (up is { } p && parentOf.TryGetValue(p, out var next)) up = next;
                await db.Set<Comment>().Where(c => c.Id == o.Id).ExecuteUpdateAsync(s => s.SetProperty(c => c.ParentId, up), ct);
            }

            var tokens = await db.Set<ApiToken>().Where(t => t.UserId == me).ExecuteDeleteAsync(ct);
            var unsubscribed = 0;
            if (user.Email is { Length: > 0 } email)
            {
                var normalized = Subscriptions.NormalizeEmail(email);
                unsubscribed = await db.Set<Subscription>().Where(s => s.Email == normalized && s.State != SubscriptionState.Unsubscribed)
                    .ExecuteUpdateAsync(s => s.SetProperty(x => x.State, SubscriptionState.Unsubscribed)
                        .SetProperty(x => x.Categories, "").SetProperty(x => x.Keywords, "").SetProperty(x => x.Authors, ""), ct);
            }

            var result = await users.DeleteAsync(user);
            if (!result.Succeeded) throw new InvalidOperationException(string.Join(" ", result.Errors.Select(e => e.Description)));

            foreach (var paperId in votedPapers) await VoteToggle.RecountAsync(db, paperId, ct);
            foreach (var paperId in commentedPapers) await CommentWriter.RecountAsync(db, paperId, ct);
            await tx.CommitAsync(ct);
            return new DeletedAccount(votedPapers.Count, mine.Count, orphans.Count, tokens, unsubscribed > 0);
        });
    }
}
