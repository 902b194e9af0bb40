using DailyPapers.Data;
using DailyPapers.Papers;
using Microsoft.EntityFrameworkCore;

namespace DailyPapers.Community;

/// <summary>
/// What is rising across days (docs/community.md, "Trending"). A Hacker-News-style gravity score:
/// <code>score = (upvotes + CommentWeight × comments) / (ageHours + AgeOffsetHours) ^ Gravity</code>
/// where ageHours counts from the start (00:00 UTC) of the paper's listing day.
/// </summary>
public static class Trending
{
    /// <summary>A comment is a quarter of a vote: a real signal of interest, but cheaper to give and sometimes a complaint.</summary>
    public const double CommentWeight = 0.25;
    /// <summary>Two hours keeps a paper listed minutes ago from dividing by almost zero and leaping past everything.</summary>
    public const double AgeOffsetHours = 2;
    /// <summary>1.5 halves a score each time the (offset) age grows by 60%: to rank level with a 3-hour-old paper, a day-old one needs about 12 times its votes and a week-old one about 200 times.</summary>
    public const double Gravity = 1.5;
    /// <summary>Older papers can't trend: by then the decay has made their score negligible anyway, and the scan stays small.</summary>
    public const int WindowDays = 14;

    public static double Score(int upvotes, int comments, double ageHours) =>
        (upvotes + CommentWeight * comments) / Math.Pow(Math.Max(0, ageHours) + AgeOffsetHours, Gravity);

    public static double AgeHours(DateOnly listingDate, DateTime nowUtc) =>
        (nowUtc - listingDate.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc)).TotalHours;

    /// <summary>
    /// The trending papers of one list period, scored as at the period's end; papers nobody voted on or discussed
    /// follow in list order (upvotes, then recency), so a quiet period still fills the list.
    /// </summary>
    public static async Task<List<PaperCard>> TopOfPeriodAsync(AppDbContext db, ListPeriod period, int take, CancellationToken ct = default)
    {
        var end = period.EndUtc;
        var engaged = await PaperLists.InPeriod(db, period, null).Where(p => p.Upvotes > 0 || p.CommentCount > 0).Cards().ToListAsync(ct);
        var top = RankByScore(engaged, end).Take(take).Select(x => x.Card).ToList();
        if (top.Count < take)
            top.AddRange(await PaperLists.InPeriod(db, period, null).Where(p => p.Upvotes == 0 && p.CommentCount == 0).Ranked().Take(take - top.Count).Cards().ToListAsync(ct));
        return top;
    }

    /// <summary>The top papers listed in the last <see cref="WindowDays"/> days with at least one vote or comment, best first.</summary>
    public static async Task<List<(PaperCard Card, double Score)>> TopAsync(AppDbContext db, DateTime nowUtc, int take = 50, CancellationToken ct = default)
    {
        var since = DateOnly.FromDateTime(nowUtc).AddDays(-WindowDays);
        var until = DateOnly.FromDateTime(nowUtc).AddDays(1);
        // Scored in memory: the window holds a few thousand papers at most, and the maths needs pow(), which SQLite lacks.
        var candidates = await db.Papers
            .Where(p => p.ListingDate >= since && p.ListingDate < until && (p.Upvotes > 0 || p.CommentCount > 0))
            .Cards().ToListAsync(ct);
        return RankByScore(candidates, nowUtc).Take(take).ToList();
    }

    /// <summary>Best score first; ties go to more upvotes, then the newer paper id.</summary>
    private static IEnumerable<(PaperCard Card, double Score)> RankByScore(IEnumerable<PaperCard> cards, DateTime nowUtc) =>
        cards
            .Select(c => (Card: c, Score: Score(c.Upvotes, c.CommentCount, AgeHours(c.ListingDate, nowUtc))))
            .OrderByDescending(x => x.Score).ThenByDescending(x => x.Card.Upvotes).ThenByDescending(x => x.Card.Id);
}
