using DailyPapers.Data;
using DailyPapers.Papers;
using Microsoft.EntityFrameworkCore;

namespace DailyPapers.Digest;

/// <summary>A paper in a digest and, for personal matches, why it was picked ("matches cs.CL", "by Hinton, an author you follow").</summary>
public sealed record DigestPaper(PaperCard Card, string? Reason);

/// <summary>One edition: a frequency, a period and its top papers; the same for every subscriber.</summary>
public sealed record DigestEdition(DigestFrequency Frequency, ListPeriod Period, IReadOnlyList<PaperCard> Top)
{
    /// <summary>The leading papers with a community signal: only these are called trending.</summary>
    public IReadOnlyList<PaperCard> Trending => Top.TakeWhile(c => c.HasSignal).ToList();

    /// <summary>The papers after those: the period's newest, which nobody has picked yet.</summary>
    public IReadOnlyList<PaperCard> Newest => Top.SkipWhile(c => c.HasSignal).ToList();

    /// <summary>"daily:2019-12-02" or "weekly:2019-W49": names the edition in the run table and in Message-IDs.</summary>
    public string Key => $"{Frequency.ToString().ToLowerInvariant()}:{Period.Value}";

    public static ListPeriod PeriodFor(DigestFrequency f, DateOnly date) =>
        f == DigestFrequency.Weekly ? ListPeriod.WeekOf(date) : ListPeriod.Day(date);
}

/// <summary>Which papers go into a digest: the period's trending papers, plus matches for a subscriber's preferences.</summary>
public static class DigestPapers
{
    public const int MaxPreferenceItems = 10;

    /// <summary>
    /// The period's top papers: those with a signal by the trending score (the one place the digest ranks papers),
    /// then, when fewer than <paramref name="count"/> have one, the newest of the rest, which the mail calls "newest".
    /// </summary>
    public static async Task<List<PaperCard>> TrendingAsync(AppDbContext db, ListPeriod period, int count, CancellationToken ct = default)
    {
        var top = await Community.Trending.TopOfPeriodAsync(db, period, count, ct);
        if (top.Count < count)
        {
            var ids = top.ConvertAll(c => c.Id);
            top.AddRange(await PaperLists.InPeriod(db, period, null).Where(p => !ids.Contains(p.Id))
                .OrderByDescending(p => p.FirstSubmittedAt).ThenByDescending(p => p.Id).Take(count - top.Count).Cards().ToListAsync(ct));
        }
        return top;
    }

    public static async Task<DigestEdition> EditionAsync(AppDbContext db, DigestFrequency frequency, DateOnly date, int top, CancellationToken ct = default)
    {
        var period = DigestEdition.PeriodFor(frequency, date);
        return new DigestEdition(frequency, period, await TrendingAsync(db, period, top, ct));
    }

    /// <summary>Papers of the period that match any category, followed author or keyword query, minus those already on top.</summary>
    public static async Task<List<DigestPaper>> MatchesAsync(AppDbContext db, ListPeriod period, Subscription prefs, IReadOnlyCollection<long> exclude, int count, CancellationToken ct = default)
    {
        var found = new Dictionary<long, DigestPaper>();
        if (count == 0) return [];
        async Task Add(IQueryable<Paper> q, string reason)
        {
            var cards = await q.Where(p => !exclude.Contains(p.Id)).Ranked().Take(count).Cards().ToListAsync(ct);
            foreach (var c in cards) found.TryAdd(c.Id, new DigestPaper(c, reason));
        }

        foreach (var cat in SplitCategories(prefs.Categories))
            await Add(PaperLists.InPeriod(db, period, cat), "matches " + cat);
        foreach (var author in SplitLines(prefs.Authors))
        {
            var a = author.ToLowerInvariant();
            await Add(PaperLists.InPeriod(db, period, null).Where(p => p.Authors.ToLower().Contains(a)), "matches author " + author);
        }
        foreach (var query in SplitLines(prefs.Keywords))
        {
            // Every word of the query must appear in the title or abstract; the lead may route this through search later.
            var q = PaperLists.InPeriod(db, period, null);
            foreach (var word in query.ToLowerInvariant().Split(' ', StringSplitOptions.RemoveEmptyEntries).Take(8))
                q = q.Where(p => p.Title.ToLower().Contains(word) || p.Abstract.ToLower().Contains(word));
            await Add(q, "matches “" + query + "”");
        }
        return found.Values
            .OrderByDescending(p => p.Card.Score).ThenByDescending(p => p.Card.FirstSubmittedAt).ThenByDescending(p => p.Card.Id)
            .Take(count).ToList();
    }

    /// <summary>
    /// The personal part of a member's digest: their For you ranking over the edition's period (followed authors' new
    /// papers first, saved-search matches, then the model's order; Library/ForYouRanking), then the subscription's own
    /// category/keyword/author matches, minus the edition's top papers. Empty when the member has told us nothing.
    /// </summary>
    /// <summary>
    /// A subscriber with an account gets the personal digest: their For-you ranking (without a search index, e.g. from the
    /// CLI with no search folder, saved searches are left out) and then their subscription's matches. Null when the address
    /// has no account or the ranking is not personal yet: the caller then uses the subscription's matches alone. The digest
    /// runner and the admin preview both ask this, so the preview shows what the mail will hold.
    /// </summary>
    public static async Task<List<DigestPaper>?> ForMemberAsync(AppDbContext db, Search.PaperSearch? search, ListPeriod period,
        Subscription prefs, IReadOnlyCollection<long> exclude, int count, CancellationToken ct = default)
    {
        var email = prefs.Email.ToUpperInvariant();
        var member = await db.Users.Where(u => u.NormalizedEmail == email).Select(u => u.Id).FirstOrDefaultAsync(ct);
        if (member is null) return null;
        var personal = await PersonalAsync(db, search, member, period, prefs, exclude, count, ct);
        return personal.Count > 0 ? personal : null;
    }

    public static async Task<List<DigestPaper>> PersonalAsync(AppDbContext db, Search.PaperSearch? search, string userId, ListPeriod period,
        Subscription prefs, IReadOnlyCollection<long> exclude, int count, CancellationToken ct = default)
    {
        var forYou = await Library.ForYouRanking.RankAsync(db, search, userId, Library.ForYouPeriod.Today, count + exclude.Count, ct, period);
        var picked = forYou.Personalised ? forYou.Items.Where(i => !exclude.Contains(i.PaperId)).Take(count).ToList() : [];
        var ids = picked.ConvertAll(i => i.PaperId);
        var cards = await db.Papers.Where(p => ids.Contains(p.Id)).Cards().ToDictionaryAsync(c => c.Id, ct);
        var list = picked.Where(i => cards.ContainsKey(i.PaperId)).Select(i => new DigestPaper(cards[i.PaperId], i.Reason)).ToList();
        if (prefs.HasPreferences && list.Count < count)
        {
            var taken = exclude.Concat(ids).ToHashSet();
            list.AddRange(await MatchesAsync(db, period, prefs, taken, count - list.Count, ct));
        }
        return list;
    }

    public static IEnumerable<string> SplitCategories(string s) =>
        s.Split([' ', ',', '\n', '\r', '\t'], StringSplitOptions.RemoveEmptyEntries).Distinct(StringComparer.Ordinal).Take(MaxPreferenceItems);

    public static IEnumerable<string> SplitLines(string s) =>
        s.Split(['\n', '\r'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(l => string.Join(' ', l.Split(' ', StringSplitOptions.RemoveEmptyEntries)))
            .Where(l => l.Length > 0).Distinct(StringComparer.OrdinalIgnoreCase).Take(MaxPreferenceItems);
}
