using DailyPapers.Data;
using Microsoft.EntityFrameworkCore;

namespace DailyPapers.Papers;

/// <summary>The API read model of a paper, also used by feeds and citation exports: more than a card (authors one by one, DOI, dates).</summary>
public sealed record ListItem(
    long Id, string ArxivId, int LatestVersion, string Title, string Abstract, IReadOnlyList<string> Authors,
    IReadOnlyList<string> Categories, string? Doi, string? JournalRef, string? Comments,
    DateTime FirstSubmittedAt, DateTime LastUpdatedAt, DateOnly ListingDate, int Upvotes, int CommentCount, string? Submitter)
{
    /// <summary>The paper's signals beside this instance's own votes and comments (Papers/PaperSignals).</summary>
    public ItemSignals Signals { get; init; } = ItemSignals.None;

    /// <summary>Who put the paper on a daily list: a member here, else the curated source's submitter; null for harvested papers.</summary>
    public string? DailySubmitter => Signals.LocalSubmitter ?? Signals.HfSubmitter;
}

/// <summary>Imported and community signals of a list item; imported figures are kept apart from local ones.</summary>
public sealed record ItemSignals(
    int HfUpvotes, int HfComments, string? GithubRepo, int? GithubStars, string? ProjectPage,
    string? Organization, string? OrganizationName, string? AiSummary, IReadOnlyList<string> AiKeywords,
    string? HfSubmitter, string? LocalSubmitter, bool Submitted, bool CuratedSource, bool Featured)
{
    public static readonly ItemSignals None = new(0, 0, null, null, null, null, null, null, [], null, null, false, false, false);
}

public static class ListItems
{
    /// <summary>Items for papers ranked elsewhere (search, trending), in the order of <paramref name="ids"/>.</summary>
    public static async Task<IReadOnlyList<ListItem>> LoadInOrderAsync(AppDbContext db, IReadOnlyList<long> ids, CancellationToken ct)
    {
        var items = await LoadAsync(db, db.Papers.Where(p => ids.Contains(p.Id)), ids.Count, ct);
        var rank = ids.Select((id, i) => (id, i)).ToDictionary(x => x.id, x => x.i);
        return items.OrderBy(i => rank[i.Id]).ToList();
    }

    /// <summary>Loads the given papers (already filtered and ordered) with their authors in order: two queries whatever the count.</summary>
    public static async Task<IReadOnlyList<ListItem>> LoadAsync(AppDbContext db, IQueryable<Paper> ordered, int take, CancellationToken ct)
    {
        var rows = await ordered.Take(take)
            .Select(p => new
            {
                p.Id, p.ArxivId, p.LatestVersion, p.Title, p.Abstract, p.Categories, p.Doi, p.JournalRef, p.Comments, p.FirstSubmittedAt, p.LastUpdatedAt,
                p.ListingDate, p.Upvotes, p.CommentCount, p.Submitter,
                p.HfUpvotes, p.HfComments, p.GithubRepo, p.GithubStars, p.ProjectPage, p.Organization, p.OrganizationName, p.AiSummary, p.AiKeywords,
                p.HfSubmitter, p.Submitted, p.CuratedSource, p.Featured,
            })
            .ToListAsync(ct);
        var ids = rows.ConvertAll(r => r.Id);
        var submitted = rows.Where(r => r.Submitted).Select(r => r.Id).ToList();
        var localSubmitters = submitted.Count == 0 ? [] : await db.Set<Community.Submission>().Where(s => submitted.Contains(s.PaperId))
            .Join(db.Users, s => s.UserId, u => u.Id, (s, u) => new { s.PaperId, u.DisplayName })
            .ToDictionaryAsync(x => x.PaperId, x => x.DisplayName, ct);
        var authors = (await db.PaperAuthors.Where(a => ids.Contains(a.PaperId)).OrderBy(a => a.PaperId).ThenBy(a => a.Position)
                .Select(a => new { a.PaperId, a.Name }).ToListAsync(ct))
            .GroupBy(a => a.PaperId)
            .ToDictionary(g => g.Key, g => (IReadOnlyList<string>)g.Select(a => a.Name).ToList());
        return rows.ConvertAll(r => new ListItem(
            r.Id, r.ArxivId, r.LatestVersion, r.Title, r.Abstract, authors.GetValueOrDefault(r.Id) ?? [],
            r.Categories.Split(' ', StringSplitOptions.RemoveEmptyEntries), r.Doi, r.JournalRef, r.Comments,
            DateTime.SpecifyKind(r.FirstSubmittedAt, DateTimeKind.Utc), DateTime.SpecifyKind(r.LastUpdatedAt, DateTimeKind.Utc), r.ListingDate,
            r.Upvotes, r.CommentCount, r.Submitter)
        {
            Signals = new ItemSignals(r.HfUpvotes, r.HfComments, r.GithubRepo, r.GithubStars, r.ProjectPage, r.Organization, r.OrganizationName,
                r.AiSummary, r.AiKeywords?.Split('\n', StringSplitOptions.RemoveEmptyEntries) ?? [], r.HfSubmitter,
                localSubmitters.GetValueOrDefault(r.Id), r.Submitted, r.CuratedSource, r.Featured),
        });
    }
}
