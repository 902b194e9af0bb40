using DailyPapers.Data;
using DailyPapers.Search;
using Microsoft.EntityFrameworkCore;

namespace DailyPapers.Library;

/// <summary>Saved searches: create (validated as the search page validates), list, delete, and run one.</summary>
public static class SavedSearches
{
    public const int MaxPerMember = 50;

    public static SearchRequest RequestOf(SavedSearch s, int page = 1, int pageSize = PaperSearch.DefaultPageSize) =>
        new(s.Query, s.Mode, s.Category, s.From, s.To, s.Author, page, pageSize);

    public static Task<List<SavedSearch>> ListAsync(AppDbContext db, string userId, CancellationToken ct) =>
        db.Set<SavedSearch>().Where(s => s.UserId == userId).OrderBy(s => s.Name).ThenBy(s => s.Id).ToListAsync(ct);

    /// <summary>Saves a search after checking it is one the search accepts; an error message otherwise.</summary>
    public static async Task<(SavedSearch? Saved, string? Error)> CreateAsync(AppDbContext db, string userId, string? name, SearchRequest request, CancellationToken ct)
    {
        var q = (request.Query ?? "").Trim();
        if (q.Length == 0) return (null, "There is no search to save: type a query first.");
        if (q.Length > PaperSearch.MaxQueryLength) return (null, $"That query is {q.Length} characters long; the limit is {PaperSearch.MaxQueryLength}.");
        string mode;
        try { mode = PaperSearch.ParseMode(request.Mode).ToString().ToLowerInvariant(); }
        catch (SearchRequestException ex) { return (null, ex.Message); }
        if (request.From is { } f && request.To is { } t && f > t) return (null, "The start date is after the end date.");
        var cat = string.IsNullOrWhiteSpace(request.Category) ? null : request.Category.Trim();
        if (cat is not null && (cat.Length > 32 || cat.Any(char.IsWhiteSpace))) return (null, $"'{cat}' is not a category: use a code such as cs.CL or an archive such as cs.");
        var author = string.IsNullOrWhiteSpace(request.Author) ? null : request.Author.Trim();
        if (author is { Length: > 200 }) return (null, "An author filter has at most 200 characters.");
        var n = string.IsNullOrWhiteSpace(name) ? q : name.Trim();
        if (n.Length > SavedSearch.MaxName) n = n[..SavedSearch.MaxName];
        if (n.Any(char.IsControl) || q.Any(char.IsControl)) return (null, "A saved search can't contain control characters.");
        if (await db.Set<SavedSearch>().CountAsync(s => s.UserId == userId, ct) >= MaxPerMember)
            return (null, $"You have {MaxPerMember} saved searches, the most one member can have; delete one first.");
        var s = new SavedSearch
        {
            UserId = userId, Name = n, Query = q, Mode = mode, Category = cat, From = request.From, To = request.To, Author = author,
            FeedToken = Collections.NewSecret(24), CreatedAt = DateTime.UtcNow,
        };
        db.Add(s);
        await db.SaveChangesAsync(ct);
        return (s, null);
    }

    public static Task<int> DeleteAsync(AppDbContext db, string userId, long id, CancellationToken ct) =>
        db.Set<SavedSearch>().Where(s => s.Id == id && s.UserId == userId).ExecuteDeleteAsync(ct);

    /// <summary>The search's paper ids in rank order, restricted to papers listed from <paramref name="since"/> when given.</summary>
    public static async Task<List<long>> RunAsync(PaperSearch search, SavedSearch s, DateOnly? since, int take, CancellationToken ct)
    {
        var from = since is { } d && (s.From is null || s.From < d) ? d : s.From;
        if (from is { } a && s.To is { } b && a > b) return [];
        try
        {
            var r = await search.SearchAsync(RequestOf(s, 1, Math.Min(take, PaperSearch.MaxPageSize)) with { From = from }, ct);
            return r.Hits.Select(h => h.Paper.Id).ToList();
        }
        catch (SearchRequestException)
        {
            return []; // saved before a rule changed: it finds nothing rather than failing the page, feed or digest
        }
    }
}
