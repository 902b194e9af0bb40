using DailyPapers.Data;
using DailyPapers.Papers;
using Microsoft.EntityFrameworkCore;

namespace DailyPapers.Community;

/// <summary>
/// What is rising across days (docs/discovery.md, "Trending"). A Hacker-News-style gravity score over the paper's
/// signal score (Papers/PaperSignals):
/// <code>trending = PaperSignals.Score / (ageHours + AgeOffsetHours) ^ Gravity</code>
/// where ageHours counts from the start (00:00 UTC) of the paper's listing day to the reference time. The reference
/// is the instance's own clock of listings, not the wall clock: the end of the newest listing day, or now when that
/// is earlier. An archive, or an instance whose harvest stalled, still has a trending page for its newest days.
/// </summary>
public static class Trending
{
    /// <summary>Two hours keeps a paper listed minutes ago from dividing by almost zero and leaping past everything.</summary>
    public const double AgeOffsetHours = 2;
    /// <summary>1.5 halves a score each time the (offset) age grows by 60%: to rank level with a 3-hour-old paper, a day-old one needs about 12 times its score and a week-old one about 200 times.</summary>
    public const double Gravity = 1.5;
    /// <summary>Older papers can't trend: by then the decay has made their score negligible anyway, and the scan stays small.</summary>
    public const int WindowDays = 14;

    public static double Decay(double score, double ageHours) =>
        score / Math.Pow(Math.Max(0, ageHours) + AgeOffsetHours, Gravity);

    public static double AgeHours(DateOnly listingDate, DateTime referenceUtc) =>
        (referenceUtc - listingDate.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc)).TotalHours;

    /// <summary>The end of the newest listing day, or <paramref name="nowUtc"/> when that is earlier; null on an empty instance.</summary>
    public static DateTime? Reference(DateOnly? newestDay, DateTime nowUtc)
    {
        if (newestDay is not { } d) return null;
        var end = d.AddDays(1).ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);
        return end < nowUtc ? end : nowUtc;
    }

    /// <summary>The window trending looks at, [From, Until) in listing days, and the time ages are measured to.</summary>
    public sealed record Window(DateOnly From, DateOnly Until, DateTime ReferenceUtc);

    public static async Task<Window?> WindowAsync(AppDbContext db, DateTime nowUtc, CancellationToken ct = default)
    {
        // Listing days after today (a clock skew, a bad record) don't move the reference past now.
        var today = DateOnly.FromDateTime(nowUtc);
        var newest = await db.Papers.Where(p => p.ListingDate <= today).MaxAsync(p => (DateOnly?)p.ListingDate, ct);
        if (Reference(newest, nowUtc) is not { } reference) return null;
        var until = DateOnly.FromDateTime(reference.AddTicks(-1)).AddDays(1);
        return new Window(until.AddDays(-WindowDays), until, reference);
    }

    /// <summary>
    /// The top papers of one list period by signal, scored as at the period's end (the digest). Papers without any
    /// signal are not trending and are not returned: callers show "newest" papers for those instead.
    /// </summary>
    public static async Task<List<PaperCard>> TopOfPeriodAsync(AppDbContext db, ListPeriod period, int take, CancellationToken ct = default)
    {
        var end = period.EndUtc;
        var engaged = await PaperLists.InPeriod(db, period, null, ListView.Curated).Cards().ToListAsync(ct);
        return RankByScore(engaged, end).Take(take).Select(x => x.Card).ToList();
    }

    /// <summary>The top papers of the window with a signal, best first; empty on an instance without any.</summary>
    public static async Task<List<(PaperCard Card, double Score)>> TopAsync(AppDbContext db, DateTime nowUtc, int take = 50, CancellationToken ct = default)
    {
        if (await WindowAsync(db, nowUtc, ct) is not { } w) return [];
        return await TopAsync(db, w, take, ct);
    }

    public static async Task<List<(PaperCard Card, double Score)>> TopAsync(AppDbContext db, Window w, int take = 50, CancellationToken ct = default)
    {
        // Scored in memory: the window holds a few thousand curated papers at most, and the maths needs pow(), which SQLite lacks.
        var candidates = await db.Papers
            .Where(p => p.ListingDate >= w.From && p.ListingDate < w.Until)
            .Where(PaperSignals.IsCurated)
            .Cards().ToListAsync(ct);
        return RankByScore(candidates, w.ReferenceUtc).Take(take).ToList();
    }

    /// <summary>Best trending score first; ties go to the higher signal score, then the newer paper id.</summary>
    private static IEnumerable<(PaperCard Card, double Score)> RankByScore(IEnumerable<PaperCard> cards, DateTime referenceUtc) =>
        cards
            .Select(c => (Card: c, Signal: c.Score, Score: Decay(c.Score, AgeHours(c.ListingDate, referenceUtc))))
            .Where(x => x.Signal > 0)
            .OrderByDescending(x => x.Score).ThenByDescending(x => x.Signal).ThenByDescending(x => x.Card.Id)
            .Select(x => (x.Card, x.Score));
}
