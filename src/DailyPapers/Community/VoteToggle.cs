using DailyPapers.Data;
using DailyPapers.Papers;
using DailyPapers.Web;
using Microsoft.AspNetCore.OutputCaching;
using Microsoft.EntityFrameworkCore;

namespace DailyPapers.Community;

public sealed record VoteState(long PaperId, string ArxivId, bool Voted, int Upvotes);

/// <summary>
/// Upvote on/off for one member and one paper: the one write path for votes. The vote row and the paper's
/// count change in one transaction, and the count is recomputed from the rows (not incremented), so it
/// equals the number of rows whatever the interleaving of concurrent clicks.
/// </summary>
public sealed class VoteToggle(AppDbContext db, IOutputCacheStore cache, SqliteVoteWriter? sqliteWriter = null)
{
    /// <summary>Sets the vote to <paramref name="want"/> (null flips it); null when the paper doesn't exist.</summary>
    public async Task<VoteState?> SetAsync(string userId, ArxivId arxivId, bool? want, CancellationToken ct = default)
    {
        var paper = await db.Papers.Named(arxivId).Select(p => new { p.Id, p.ArxivId }).FirstOrDefaultAsync(ct);
        if (paper is null) return null;
        VoteState state;
        if (db.Provider == DatabaseProvider.Sqlite)
        {
            // One writer loop per process applies queued toggles in shared transactions (registered for SQLite only).
            var writer = sqliteWriter ?? throw new InvalidOperationException("SqliteVoteWriter is not registered for this SQLite database.");
            var (voted, upvotes) = await writer.SetAsync(userId, paper.Id, want, ct);
            state = new VoteState(paper.Id, paper.ArxivId, voted, upvotes);
        }
        else
        {
            state = await ToggleInTransactionAsync(userId, paper.Id, paper.ArxivId, want, ct);
        }
        await cache.EvictByTagAsync(CachePolicies.PapersTag, ct);
        return state;
    }

    private async Task<VoteState> ToggleInTransactionAsync(string userId, long paperId, string arxivId, bool? want, CancellationToken ct)
    {
        var paper = new { Id = paperId, ArxivId = arxivId };
        var strategy = db.Database.CreateExecutionStrategy();
        return await strategy.ExecuteAsync(async () =>
        {
            // PostgreSQL: the row lock below queues concurrent toggles of one paper, so the COUNT in each runs after
            // the previous one committed (also across app nodes).
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            await db.Database.ExecuteSqlAsync($"SELECT 1 FROM papers WHERE \"Id\" = {paper.Id} FOR UPDATE", ct);
            bool voted;
            if (want is null)
            {
                var removed = await db.Database.ExecuteSqlAsync($"DELETE FROM votes WHERE \"UserId\" = {userId} AND \"PaperId\" = {paper.Id}", ct);
                voted = removed == 0;
                if (voted) await InsertAsync(userId, paper.Id, ct);
            }
            else if (want.Value)
            {
                await InsertAsync(userId, paper.Id, ct);
                voted = true;
            }
            else
            {
                await db.Database.ExecuteSqlAsync($"DELETE FROM votes WHERE \"UserId\" = {userId} AND \"PaperId\" = {paper.Id}", ct);
                voted = false;
            }
            await RecountAsync(db, paper.Id, ct);
            var count = await db.Database.SqlQuery<int>($"SELECT \"Upvotes\" AS \"Value\" FROM papers WHERE \"Id\" = {paper.Id}").SingleAsync(ct);
            await tx.CommitAsync(ct);
            return new VoteState(paper.Id, paper.ArxivId, voted, count);
        });
    }

    /// <summary>Sets a paper's upvote count from its vote rows (the SQLite writer runs the same statement as a prepared command).</summary>
    internal static Task<int> RecountAsync(AppDbContext db, long paperId, CancellationToken ct) =>
        db.Database.ExecuteSqlAsync(
            $"UPDATE papers SET \"Upvotes\" = (SELECT COUNT(*) FROM votes WHERE \"PaperId\" = {paperId}) WHERE \"Id\" = {paperId}", ct);

    private Task<int> InsertAsync(string userId, long paperId, CancellationToken ct) =>
        db.Database.ExecuteSqlAsync(
            $"INSERT INTO votes (\"UserId\", \"PaperId\", \"CreatedAt\") VALUES ({userId}, {paperId}, {DateTime.UtcNow}) ON CONFLICT DO NOTHING", ct);

    public async Task<VoteState?> GetAsync(string? userId, ArxivId arxivId, CancellationToken ct = default)
    {
        var paper = await db.Papers.Named(arxivId).Select(p => new { p.Id, p.ArxivId, p.Upvotes }).FirstOrDefaultAsync(ct);
        if (paper is null) return null;
        var voted = userId is not null && await db.Set<Vote>().AnyAsync(v => v.UserId == userId && v.PaperId == paper.Id, ct);
        return new VoteState(paper.Id, paper.ArxivId, voted, paper.Upvotes);
    }
}

/// <summary>What a signed-in member's cards need besides the paper: own votes, saves and "not interested", and submitters, loaded once per list.</summary>
public sealed class CardExtras(AppDbContext db, IHttpContextAccessor http)
{
    private HashSet<long> _voted = [];
    private HashSet<long> _saved = [];
    private HashSet<long> _notInterested = [];
    private Dictionary<long, string> _submitters = [];

    public string? UserId => http.HttpContext is { } c && c.User.Identity?.IsAuthenticated == true ? CommunitySetup.UserIdOf(c) : null;

    public async Task LoadAsync(IReadOnlyCollection<long> paperIds, CancellationToken ct = default)
    {
        if (paperIds.Count == 0) return;
        var ids = paperIds.ToList();
        if (UserId is { } uid)
        {
            _voted = (await db.Set<Vote>().Where(v => v.UserId == uid && ids.Contains(v.PaperId)).Select(v => v.PaperId).ToListAsync(ct)).ToHashSet();
            _saved = await Library.Collections.SavedAmongAsync(db, uid, ids, ct);
            _notInterested = (await db.Set<Library.NotInterested>().Where(n => n.UserId == uid && ids.Contains(n.PaperId)).Select(n => n.PaperId).ToListAsync(ct)).ToHashSet();
        }
        _submitters = await db.Set<Submission>().Where(s => ids.Contains(s.PaperId))
            .Join(db.Users, s => s.UserId, u => u.Id, (s, u) => new { s.PaperId, u.DisplayName })
            .ToDictionaryAsync(x => x.PaperId, x => x.DisplayName, ct);
    }

    public bool Voted(long paperId) => _voted.Contains(paperId);
    public bool Saved(long paperId) => _saved.Contains(paperId);
    public bool NotInterested(long paperId) => _notInterested.Contains(paperId);

    private HashSet<string>? _categories;

    /// <summary>Whether the signed-in member follows this category (loaded on first ask).</summary>
    public bool FollowsCategory(string code)
    {
        if (UserId is not { } uid) return false;
        _categories ??= db.Set<Library.Follow>().Where(f => f.UserId == uid && f.Kind == Library.FollowKind.Category).Select(f => f.Key).ToHashSet();
        return _categories.Contains(code);
    }
    public string? SubmittedBy(long paperId) => _submitters.GetValueOrDefault(paperId);
}
