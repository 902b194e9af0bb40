using DailyPapers.Community;
using DailyPapers.Data;
using DailyPapers.Papers;
using DailyPapers.Recommend;
using Microsoft.EntityFrameworkCore;

namespace DailyPapers.Library;

public enum ForYouPeriod { Today, Week, Month }

/// <summary>One recommended paper and the one-line reason it is there.</summary>
public sealed record ForYouItem(long PaperId, string Reason, double Score);

/// <summary>
/// A member's For you list. <see cref="Personalised"/> is false when the member has told us nothing yet: the items are
/// then the period's curated list (best first), and pages invite the member to upvote, save and follow.
/// </summary>
public sealed record ForYouResult(ForYouPeriod Period, ListPeriod Window, bool Personalised, int Positives, IReadOnlyList<ForYouItem> Items);

/// <summary>
/// The one For you operation: the page, the For you feed, the personal digest and /api/v1/me/recommendations all call
/// <see cref="RankAsync"/>. It gathers the member's signals (upvotes, saved papers, followed authors' papers as positives;
/// "not interested" as negatives; follows, categories and community signals as the prior), asks the recommender
/// (Recommend/) to rank the period's new papers, and puts followed authors' new papers first.
/// </summary>
public static class ForYouRanking
{
    /// <summary>Members with at least this many positives get For you as their home page (the recommender's own half-weight point).</summary>
    public const int HomeThreshold = 5;
    /// <summary>A month of the full arXiv feed is ~20,000 papers; beyond this the newest are ranked (bounds one call's memory and time).</summary>
    public const int MaxCandidates = 25_000;
    /// <summary>Followed authors' older papers used as positives: enough to describe their topics.</summary>
    public const int MaxAuthorPositives = 200;
    /// <summary>Saved-search matches looked at per search and period.</summary>
    public const int SearchMatches = 100;

    public static bool TryParsePeriod(string? value, out ForYouPeriod period)
    {
        switch (value?.Trim().ToLowerInvariant())
        {
            case null or "" or "today" or "day": period = ForYouPeriod.Today; return true;
            case "week": period = ForYouPeriod.Week; return true;
            case "month": period = ForYouPeriod.Month; return true;
            default: period = default; return false;
        }
    }

    public const string PeriodError = "period must be today, week or month.";

    /// <summary>The listing days a period covers, ending at the newest listing day: that day, the last 7 days, the last 30.</summary>
    public static ListPeriod WindowOf(ForYouPeriod period, DateOnly latest) => period switch
    {
        ForYouPeriod.Week => ListPeriod.Days(latest.AddDays(-6), latest),
        ForYouPeriod.Month => ListPeriod.Days(latest.AddDays(-29), latest),
        _ => ListPeriod.Day(latest),
    };

    /// <summary>Upvoted and saved papers, newest first: the positives the home-page threshold counts.</summary>
    public static async Task<List<long>> DirectPositivesAsync(AppDbContext db, string userId, CancellationToken ct)
    {
        var votes = await db.Set<Vote>().Where(v => v.UserId == userId).OrderByDescending(v => v.CreatedAt).Select(v => v.PaperId).ToListAsync(ct);
        var saved = await db.Set<CollectionItem>().Where(i => db.Set<Collection>().Any(c => c.Id == i.CollectionId && c.UserId == userId))
            .OrderByDescending(i => i.AddedAt).Select(i => i.PaperId).ToListAsync(ct);
        return Merge(votes, saved).ToList();
    }

    public static async Task<bool> PrefersForYouAsync(AppDbContext db, string userId, CancellationToken ct) =>
        (await DirectPositivesAsync(db, userId, ct)).Count >= HomeThreshold;

    /// <summary>Ranks the period's new papers for the member; <paramref name="window"/> overrides the period's days (a digest edition's).</summary>
    public static async Task<ForYouResult> RankAsync(AppDbContext db, Search.PaperSearch? search, string userId, ForYouPeriod period, int take, CancellationToken ct,
        ListPeriod? window = null)
    {
        if (window is null)
        {
            var latest = await PaperLists.LatestDayAsync(db, ct) ?? DateOnly.FromDateTime(DateTime.UtcNow);
            window = WindowOf(period, latest);
        }
        var votes = await db.Set<Vote>().Where(v => v.UserId == userId).OrderByDescending(v => v.CreatedAt).Select(v => v.PaperId).ToListAsync(ct);
        var savedRows = await (from i in db.Set<CollectionItem>()
                               join c in db.Set<Collection>() on i.CollectionId equals c.Id
                               where c.UserId == userId
                               orderby i.AddedAt descending
                               select new { i.PaperId, c.Name }).ToListAsync(ct);
        var savedIn = savedRows.GroupBy(r => r.PaperId).ToDictionary(g => g.Key, g => g.First().Name);
        var negatives = await Feedback.NotInterestedAsync(db, userId, ct);
        var hidden = negatives.ToHashSet();
        var follows = await Follows.ListAsync(db, userId, ct);
        var authorFollows = follows.Where(f => f.Kind == FollowKind.Author).ToList();
        var catFollows = follows.Where(f => f.Kind == FollowKind.Category).Select(f => f.Key).ToList();
        var searches = await SavedSearches.ListAsync(db, userId, ct);

        var direct = Merge(votes, savedRows.Select(r => r.PaperId)).ToList();
        if (direct.Count == 0 && follows.Count == 0 && searches.Count == 0)
            return new ForYouResult(period, window, false, 0, await CuratedAsync(db, window, hidden, take, ct));

        // Followed authors: their papers by exact display name (the index on paper_authors.Name), the period's ones surfaced.
        var authorNames = authorFollows.Select(f => f.Display).ToList();
        var byFollowed = authorNames.Count == 0 ? [] : await (
            from a in db.PaperAuthors
            join p in db.Papers on a.PaperId equals p.Id
            where authorNames.Contains(a.Name)
            orderby p.ListingDate descending, p.Id descending
            select new { p.Id, a.Name, p.ListingDate }).Take(MaxAuthorPositives * 4).ToListAsync(ct);
        var followedNew = new Dictionary<long, string>();
        foreach (var r in byFollowed.Where(r => r.ListingDate >= window.Start && r.ListingDate <= window.Last))
            followedNew.TryAdd(r.Id, r.Name);
        var authorPositives = byFollowed.Where(r => !followedNew.ContainsKey(r.Id)).Select(r => r.Id).Distinct().Take(MaxAuthorPositives);
        var positives = Merge(direct, authorPositives).Where(id => !hidden.Contains(id)).ToList();

        // Saved searches restricted to the period.
        var searchHit = new Dictionary<long, string>();
        if (search is not null)
            foreach (var s in searches)
                foreach (var id in await SavedSearches.RunAsync(search, s, window.Start, SearchMatches, ct))
                    searchHit.TryAdd(id, s.Name);

        var candidateIds = await PaperLists.InPeriod(db, window, null).OrderByDescending(p => p.ListingDate).ThenByDescending(p => p.Id)
            .Select(p => p.Id).Take(MaxCandidates).ToListAsync(ct);
        var candidateSet = candidateIds.ToHashSet();
        candidateIds.AddRange(searchHit.Keys.Concat(followedNew.Keys).Where(candidateSet.Add));
        candidateIds.RemoveAll(hidden.Contains);
        if (candidateIds.Count == 0) return new ForYouResult(period, window, true, direct.Count, []);

        // The prior: what the member follows and searches for, plus the community's signals (so a cold start still shows
        // what others found worth reading). Weights: a followed category or a saved-search match counts like
        // four community points (a paper with a few upvotes and comments), log-scaled so a viral paper can't drown them.
        var info = await db.Papers.Where(p => candidateIds.Contains(p.Id))
            .Select(p => new { p.Id, p.Categories, Signal = PaperSignals.Score(p.Upvotes, p.HfUpvotes, p.CommentCount, p.HfComments, p.GithubStars, p.Submitted, p.CuratedSource, p.Featured) })
            .ToListAsync(ct);
        var prior = new Dictionary<long, double>(info.Count);
        var catOf = new Dictionary<long, string>(info.Count);
        foreach (var p in info)
        {
            double v = Math.Log(1 + Math.Max(0, p.Signal));
            var cats = p.Categories.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var followedCat = catFollows.FirstOrDefault(f => cats.Any(c => c == f || c.StartsWith(f + ".", StringComparison.Ordinal)));
            if (followedCat is not null) { v += Math.Log(5); catOf[p.Id] = followedCat; }
            if (searchHit.ContainsKey(p.Id)) v += Math.Log(5);
            prior[p.Id] = v;
        }

        var set = await CandidateSet.LoadAsync(db, candidateIds, ct);
        var ranked = await Recommender.RankAsync(db, set, new ReaderSignals(positives, negatives, prior), ct);

        var titles = new Dictionary<long, string>();
        var voted = votes.ToHashSet();
        string Reason(Ranked r)
        {
            if (followedNew.TryGetValue(r.PaperId, out var author)) return $"by {author}, an author you follow";
            if (searchHit.TryGetValue(r.PaperId, out var s)) return $"matches your saved search “{s}”";
            var likes = r.LikePositives.Where(id => !followedNew.ContainsKey(id)).ToList();
            if (likes.Count > 0 && positives.Count > 0)
            {
                var inList = likes.Select(id => savedIn.GetValueOrDefault(id)).OfType<string>().GroupBy(n => n).OrderByDescending(g => g.Count()).FirstOrDefault();
                if (inList is not null) return $"like {Papers(inList.Count())} in your {inList.Key}";
                if (likes.Any(voted.Contains)) return $"like {Papers(likes.Count(voted.Contains))} you upvoted";
                return $"like {Papers(likes.Count)} by authors you follow";
            }
            if (catOf.TryGetValue(r.PaperId, out var cat)) return $"new in {cat}, which you follow";
            return "popular with readers here";
        }

        // Followed authors' new papers always come first (in the recommender's order among themselves), then the rest.
        var items = ranked.Where(r => followedNew.ContainsKey(r.PaperId))
            .Concat(ranked.Where(r => !followedNew.ContainsKey(r.PaperId)))
            .Take(take).Select(r => new ForYouItem(r.PaperId, Reason(r), r.Score)).ToList();
        return new ForYouResult(period, window, true, direct.Count, items);
    }

    private static string Papers(int n) => n == 1 ? "a paper" : $"{n} papers";

    /// <summary>The period's curated list, best first (all new papers when nobody picked any), minus "not interested".</summary>
    private static async Task<IReadOnlyList<ForYouItem>> CuratedAsync(AppDbContext db, ListPeriod window, HashSet<long> hidden, int take, CancellationToken ct)
    {
        var (papers, shown) = await PaperLists.InViewAsync(PaperLists.InPeriod(db, window, null), ListView.Curated, ct);
        var ids = await papers.Ranked().Select(p => p.Id).Take(take + hidden.Count).ToListAsync(ct);
        var reason = shown == ListView.Curated ? "picked by the community" : "new this period";
        return ids.Where(id => !hidden.Contains(id)).Take(take).Select(id => new ForYouItem(id, reason, 0)).ToList();
    }

    private static IEnumerable<long> Merge(IEnumerable<long> a, IEnumerable<long> b) => a.Concat(b).Distinct();
}
