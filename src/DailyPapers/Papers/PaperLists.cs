using System.Globalization;
using System.Text.RegularExpressions;
using DailyPapers.Data;
using Microsoft.EntityFrameworkCore;

namespace DailyPapers.Papers;

public enum PeriodKind { Day, Week, Month }

/// <summary>A day, ISO week (Monday–Sunday), calendar month or span of listing days: [Start, Last], both included.</summary>
/// <remarks>
/// The last day rather than the day after: the calendar ends on 9999-12-31, so "the day after" a period that
/// reaches it does not exist, and every period of a valid date must be representable (a week that runs past
/// that day ends on it).
/// </remarks>
public sealed partial record ListPeriod(PeriodKind Kind, DateOnly Start, DateOnly Last)
{
    public static ListPeriod Day(DateOnly d) => new(PeriodKind.Day, d, d);

    /// <summary>Listing days from <paramref name="first"/> to <paramref name="last"/>, both included.</summary>
    public static ListPeriod Days(DateOnly first, DateOnly last) => new(PeriodKind.Day, first, last);

    public static ListPeriod WeekOf(DateOnly d)
    {
        // 0001-01-01 is a Monday, so the Monday of any valid date exists.
        var monday = d.AddDays(-(((int)d.DayOfWeek + 6) % 7));
        return new(PeriodKind.Week, monday, Plus(monday, 6));
    }

    public static ListPeriod MonthOf(DateOnly d) =>
        new(PeriodKind.Month, new DateOnly(d.Year, d.Month, 1), new DateOnly(d.Year, d.Month, DateTime.DaysInMonth(d.Year, d.Month)));

    public static ListPeriod Of(PeriodKind kind, DateOnly d) => kind switch
    {
        PeriodKind.Week => WeekOf(d),
        PeriodKind.Month => MonthOf(d),
        _ => Day(d),
    };

    /// <summary>The end of the period as an instant (midnight after its last day; the latest instant for the calendar's last day).</summary>
    public DateTime EndUtc => Last == DateOnly.MaxValue
        ? DateTime.SpecifyKind(DateTime.MaxValue, DateTimeKind.Utc)
        : Last.AddDays(1).ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);

    /// <summary><paramref name="d"/> moved by <paramref name="days"/>, stopped at the ends of the calendar instead of throwing.</summary>
    public static DateOnly Plus(DateOnly d, int days) =>
        DateOnly.FromDayNumber((int)Math.Clamp((long)d.DayNumber + days, DateOnly.MinValue.DayNumber, DateOnly.MaxValue.DayNumber));

    /// <summary>The URL segment: date, week or month.</summary>
    public string Segment => Kind switch { PeriodKind.Week => "week", PeriodKind.Month => "month", _ => "date" };

    /// <summary>The canonical value in URLs: YYYY-MM-DD, YYYY-Www or YYYY-MM.</summary>
    public string Value => Kind switch
    {
        PeriodKind.Week => $"{ISOWeek.GetYear(Start.ToDateTime(TimeOnly.MinValue)):0000}-W{ISOWeek.GetWeekOfYear(Start.ToDateTime(TimeOnly.MinValue)):00}",
        PeriodKind.Month => Start.ToString("yyyy-MM", CultureInfo.InvariantCulture),
        _ => Start.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
    };

    public string Path => $"/papers/{Segment}/{Value}";

    public string Title => Kind switch
    {
        PeriodKind.Week => $"Week {Value[6..]} of {Value[..4]} ({Start.ToString("d MMM", CultureInfo.InvariantCulture)} – {Last.ToString("d MMM yyyy", CultureInfo.InvariantCulture)})",
        PeriodKind.Month => Start.ToString("MMMM yyyy", CultureInfo.InvariantCulture),
        _ => Start.ToString("dddd, d MMMM yyyy", CultureInfo.InvariantCulture),
    };

    /// <summary>A day as YYYY-MM-DD, nothing else: the one date format of every page, feed, API parameter and CLI option.</summary>
    public static bool TryParseDay(string? value, out DateOnly day) =>
        DateOnly.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out day);

    /// <summary>Parses a URL segment and value; the error says what is wrong and what is expected.</summary>
    public static bool TryParse(string segment, string value, out ListPeriod period, out string error)
    {
        period = null!;
        error = "";
        switch (segment)
        {
            case "date":
                if (TryParseDay(value, out var d)) { period = Day(d); return true; }
                error = $"'{value}' is not a valid date: use YYYY-MM-DD, e.g. 2019-12-02.";
                return false;
            case "week":
                var m = WeekPattern().Match(value);
                if (m.Success)
                {
                    int year = int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture), week = int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture);
                    if (year is >= 1 and <= 9999 && week >= 1 && week <= ISOWeek.GetWeeksInYear(year))
                    {
                        period = WeekOf(DateOnly.FromDateTime(ISOWeek.ToDateTime(year, week, DayOfWeek.Monday)));
                        return true;
                    }
                }
                error = $"'{value}' is not a valid ISO week: use YYYY-Www, e.g. 2019-W49 (weeks run Monday to Sunday).";
                return false;
            case "month":
                if (TryParseDay(value + "-01", out var mo)) { period = MonthOf(mo); return true; }
                error = $"'{value}' is not a valid month: use YYYY-MM, e.g. 2019-12.";
                return false;
            default:
                error = $"Unknown list '{segment}': use date, week or month.";
                return false;
        }
    }

    [GeneratedRegex(@"^(\d{4})-W(\d{2})$")]
    private static partial Regex WeekPattern();
}

/// <summary>What a list shows about a paper: its text and its signals (Papers/PaperSignals).</summary>
public sealed record PaperCard(
    long Id, string ArxivId, string Title, string Authors, string Categories, string Abstract,
    int Upvotes, int CommentCount, DateOnly ListingDate, DateTime FirstSubmittedAt,
    int HfUpvotes = 0, int HfComments = 0, string? GithubRepo = null, int? GithubStars = null,
    string? ProjectPage = null, string? Organization = null, string? OrganizationName = null, string? HfSubmitter = null,
    bool Submitted = false, bool CuratedSource = false, bool Featured = false)
{
    /// <summary>The start of the abstract, cut at a word and never inside a $…$ formula.</summary>
    public string Snippet => Snip(Abstract, 300);

    public double Score => PaperSignals.ScoreOfCard(this);

    public bool HasSignal => Featured || Submitted || CuratedSource || Upvotes > 0 || CommentCount > 0 || HfUpvotes > 0 || HfComments > 0;

    public static string Snip(string text, int max)
    {
        if (text.Length <= max) return text;
        int cut = text.LastIndexOf(' ', max);
        if (cut < max / 2) cut = max;
        var s = text[..cut];
        if (s.Count(c => c == '$') % 2 == 1) s = s[..s.LastIndexOf('$')].TrimEnd();
        return s + " …";
    }
}

public sealed record CategoryCount(string Code, int Count);

public sealed record PaperList(
    ListPeriod Period, string? Category, IReadOnlyList<PaperCard> Papers, int Total, int Page, int PageSize,
    ListPeriod? Previous, ListPeriod? Next, IReadOnlyList<CategoryCount> Categories,
    ListView View = ListView.Curated, bool FellBack = false, int CuratedTotal = 0, int AllTotal = 0)
{
    public int PageCount => Math.Max(1, (Total + PageSize - 1) / PageSize);

    /// <summary>The view the page shows: the curated one falls back to all when the period has no curated paper.</summary>
    public ListView Shown => FellBack ? ListView.All : View;

    /// <summary>This list in another view (first page, same category).</summary>
    public string ViewLink(ListView view) => Href(Period, view, Category, 1);

    /// <summary>This list for another category, or all categories (first page, same view).</summary>
    public string CategoryLink(string? category) => Href(Period, View, category, 1);

    public string PageLink(int page) => Href(Period, View, Category, page);

    /// <summary>Another period with this list's view and category.</summary>
    public string PeriodLink(ListPeriod period) => Href(period, View, Category, 1);

    public static string Href(ListPeriod period, ListView view, string? category, int page)
    {
        var parts = new List<string>(3);
        if (view.QueryValue() is { } v) parts.Add("view=" + v);
        if (category is not null) parts.Add("cat=" + Uri.EscapeDataString(category));
        if (page > 1) parts.Add("page=" + page.ToString(CultureInfo.InvariantCulture));
        return period.Path + (parts.Count == 0 ? "" : "?" + string.Join("&", parts));
    }
}

/// <summary>The daily, weekly and monthly lists: one query path for pages, feeds and the API.</summary>
public static class PaperLists
{
    public const int DefaultPageSize = 100;
    public const int CategoryChips = 12;
    /// <summary>The deepest page of a list: 10 million papers at the default size, far beyond any period's.</summary>
    public const int MaxPage = 100_000;

    /// <summary>A page number of a list page (?page=), 1 to <see cref="MaxPage"/>; absent is page 1.</summary>
    public static bool TryParsePage(string? value, out int page)
    {
        return Web.QueryNumber.TryParse(value, 1, 1, MaxPage, out page);
    }

    /// <summary>Papers of a period, optionally one category or archive (cs, cs.CL) at any position.</summary>
    public static IQueryable<Paper> InPeriod(AppDbContext db, ListPeriod period, string? category)
    {
        var q = db.Papers.Where(p => p.ListingDate >= period.Start && p.ListingDate <= period.Last);
        if (!string.IsNullOrEmpty(category))
        {
            var prefix = category + ".";
            q = q.Where(p => db.PaperCategories.Any(c => c.PaperId == p.Id && (c.Code == category || c.Code.StartsWith(prefix))));
        }
        return q;
    }

    /// <summary>Papers of a period in one view: the curated one keeps papers with a community signal.</summary>
    public static IQueryable<Paper> InPeriod(AppDbContext db, ListPeriod period, string? category, ListView view) =>
        view == ListView.All ? InPeriod(db, period, category) : InPeriod(db, period, category).Where(PaperSignals.IsCurated);

    /// <summary>
    /// The papers of <paramref name="q"/> in a view: the curated ones, or all when asked for all or when none is
    /// curated (the fallback every list, feed and API shares). Returns the view actually shown.
    /// </summary>
    public static async Task<(IQueryable<Paper> Papers, ListView Shown)> InViewAsync(IQueryable<Paper> q, ListView view, CancellationToken ct = default)
    {
        if (view == ListView.All) return (q, ListView.All);
        var curated = q.Where(PaperSignals.IsCurated);
        return await curated.AnyAsync(ct) ? (curated, ListView.Curated) : (q, ListView.All);
    }

    /// <summary>Best score first (Papers/PaperSignals), then the most recently submitted.</summary>
    public static IQueryable<Paper> Ranked(this IQueryable<Paper> q) =>
        q.OrderByDescending(PaperSignals.ScoreOf).ThenByDescending(p => p.FirstSubmittedAt).ThenByDescending(p => p.Id);

    /// <summary>Newest listing day first, each day in <see cref="Ranked"/> order (the APIs' "publishedAt" sort).</summary>
    public static IQueryable<Paper> NewestDayFirst(this IQueryable<Paper> q) =>
        q.OrderByDescending(p => p.ListingDate).ThenByDescending(PaperSignals.ScoreOf).ThenByDescending(p => p.FirstSubmittedAt).ThenByDescending(p => p.Id);

    public static IQueryable<PaperCard> Cards(this IQueryable<Paper> q) =>
        q.Select(p => new PaperCard(p.Id, p.ArxivId, p.Title, p.Authors, p.Categories, p.Abstract, p.Upvotes, p.CommentCount, p.ListingDate, p.FirstSubmittedAt,
            p.HfUpvotes, p.HfComments, p.GithubRepo, p.GithubStars, p.ProjectPage, p.Organization, p.OrganizationName, p.HfSubmitter,
            p.Submitted, p.CuratedSource, p.Featured));

    public static async Task<PaperList> GetAsync(AppDbContext db, ListPeriod period, string? category, int page, int pageSize = DefaultPageSize,
        CancellationToken ct = default, ListView view = ListView.Curated)
    {
        page = Math.Clamp(page, 1, MaxPage);
        var allTotal = await InPeriod(db, period, category).CountAsync(ct);
        var curatedTotal = await InPeriod(db, period, category, ListView.Curated).CountAsync(ct);
        // A period nobody has picked anything from yet shows everything, with a notice, rather than nothing.
        bool fellBack = view == ListView.Curated && curatedTotal == 0 && allTotal > 0;
        var shown = fellBack ? ListView.All : view;
        var total = shown == ListView.All ? allTotal : curatedTotal;
        var papers = await InPeriod(db, period, category, shown).Ranked().Skip((page - 1) * pageSize).Take(pageSize).Cards().ToListAsync(ct);
        var prev = await db.Papers.Where(p => p.ListingDate < period.Start).MaxAsync(p => (DateOnly?)p.ListingDate, ct);
        var next = await db.Papers.Where(p => p.ListingDate > period.Last).MinAsync(p => (DateOnly?)p.ListingDate, ct);
        // Counted the way the filter selects: a paper counts for every category it is listed in (not only its primary),
        // within the view shown, so a chip's number is the total the chip's link shows.
        var inView = InPeriod(db, period, null, shown);
        var cats = await inView
            .Join(db.PaperCategories, p => p.Id, c => c.PaperId, (p, c) => c.Code)
            .GroupBy(code => code)
            .Select(g => new { Code = g.Key, Count = g.Count() })
            .OrderByDescending(c => c.Count).ThenBy(c => c.Code)
            .Take(CategoryChips)
            .ToListAsync(ct);
        return new PaperList(period, category, papers, total, page, pageSize,
            prev is { } pd ? ListPeriod.Of(period.Kind, pd) : null,
            next is { } nd ? ListPeriod.Of(period.Kind, nd) : null,
            cats.Where(c => c.Code.Length > 0).Select(c => new CategoryCount(c.Code, c.Count)).ToList(),
            view, fellBack, curatedTotal, allTotal);
    }

    public static Task<DateOnly?> LatestDayAsync(AppDbContext db, CancellationToken ct = default) =>
        db.Papers.MaxAsync(p => (DateOnly?)p.ListingDate, ct);
}
