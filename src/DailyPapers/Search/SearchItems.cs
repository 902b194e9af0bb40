using DailyPapers.Data;
using DailyPapers.Papers;

namespace DailyPapers.Search;

/// <summary>The papers a search finds, as list items in rank order: one path for the search API and the search feed.</summary>
public static class SearchItems
{
    public static async Task<IReadOnlyList<ListItem>> LoadAsync(PaperSearch search, AppDbContext db, string q, int take, CancellationToken ct)
    {
        var ids = new List<long>(take);
        // PaperSearch pages at most MaxPageSize results at a time; longer lists take several pages.
        int pageSize = Math.Min(take, PaperSearch.MaxPageSize);
        for (int page = 1; ids.Count < take; page++)
        {
            var result = await search.SearchAsync(new SearchRequest(q, Page: page, PageSize: pageSize), ct);
            ids.AddRange(result.Hits.Select(h => h.Paper.Id).Take(take - ids.Count));
            if (page >= result.PageCount || result.Hits.Count == 0) break;
        }
        return await ListItems.LoadInOrderAsync(db, ids, ct);
    }
}
