using DailyPapers.Community;
using DailyPapers.Data;
using DailyPapers.Library;
using DailyPapers.Papers;
using DailyPapers.Search;
using DailyPapers.Web;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace DailyPapers.Pages.ForYou;

/// <summary>
/// /for-you: today's, this week's or this month's new papers ranked for the member (ForYouRanking, the one operation the
/// feeds, digest and API share), each with its reason; saved searches as tabs. Signed out, it asks the visitor to log in.
/// </summary>
[Authorize]
public sealed class IndexModel(AppDbContext db, PaperSearch search) : PageModel
{
    /// <summary>Papers on one tab: the page is for reading, the feed and API go further.</summary>
    public const int Shown = 50;

    public ForYouPeriod Period { get; private set; }
    public ForYouResult? Result { get; private set; }
    public SavedSearch? Search { get; private set; }
    public List<PaperCard> Papers { get; private set; } = [];
    public Dictionary<long, string> Reasons { get; private set; } = [];
    public List<SavedSearch> Searches { get; private set; } = [];
    public List<Follow> Follows { get; private set; } = [];
    public string? FeedToken { get; private set; }
    public string? Error { get; private set; }
    public ProblemView? Problem { get; private set; }

    private string Me => CommunitySetup.UserIdOf(HttpContext);

    public async Task<IActionResult> OnGetAsync([FromQuery] string? period, [FromQuery(Name = "search")] string? searchId, CancellationToken ct)
    {
        if (!ForYouRanking.TryParsePeriod(period, out var p))
        {
            Error = ForYouRanking.PeriodError;
            Response.StatusCode = 400;
            HttpContext.Features.Get<Microsoft.AspNetCore.Diagnostics.IStatusCodePagesFeature>()?.Enabled = false;
        }
        Period = p;
        Searches = await SavedSearches.ListAsync(db, Me, ct);
        Follows = await DailyPapers.Library.Follows.ListAsync(db, Me, ct);
        FeedToken = await LibraryEndpoints.ForYouFeedTokenAsync(db, Me, false, ct);
        if (searchId is not null)
        {
            Search = long.TryParse(searchId, out var sid) ? Searches.FirstOrDefault(s => s.Id == sid) : null;
            if (Search is null)
            {
                Response.StatusCode = 404;
                HttpContext.Features.Get<Microsoft.AspNetCore.Diagnostics.IStatusCodePagesFeature>()?.Enabled = false;
                Error = "You have no such saved search.";
                return Page();
            }
            var ids = await SavedSearches.RunAsync(search, Search, null, Shown, ct);
            await LoadCardsAsync(ids, ct);
            foreach (var id in ids) Reasons[id] = $"matches your saved search “{Search.Name}”";
            return Page();
        }
        Result = await ForYouRanking.RankAsync(db, search, Me, Period, Shown, ct);
        await LoadCardsAsync(Result.Items.Select(i => i.PaperId).ToList(), ct);
        foreach (var i in Result.Items) Reasons[i.PaperId] = i.Reason;
        return Page();
    }

    private async Task LoadCardsAsync(List<long> ids, CancellationToken ct)
    {
        var cards = await db.Papers.Where(p => ids.Contains(p.Id)).Cards().ToDictionaryAsync(c => c.Id, ct);
        Papers = ids.Where(cards.ContainsKey).Select(id => cards[id]).ToList();
    }

    /// <summary>"Save this search" on the search page posts here.</summary>
    public async Task<IActionResult> OnPostSaveSearchAsync([FromForm] string? q, [FromForm] string? mode, [FromForm] string? cat, [FromForm] string? from,
        [FromForm] string? to, [FromForm] string? author, [FromForm] string? name, CancellationToken ct)
    {
        DateOnly? Day(string? v) => ListPeriod.TryParseDay(v, out var d) ? d : null;
        if ((from is { Length: > 0 } && Day(from) is null) || (to is { Length: > 0 } && Day(to) is null))
            return this.ShowProblem(Problem = ProblemView.BadRequest("Dates are YYYY-MM-DD."));
        var (saved, error) = await SavedSearches.CreateAsync(db, Me, name, new SearchRequest(q, mode, cat, Day(from), Day(to), author), ct);
        if (saved is null) return await WithErrorAsync(error!, ct);
        return LocalRedirect($"/for-you?search={saved.Id}");
    }

    public async Task<IActionResult> OnPostDeleteSearchAsync([FromForm] long id, CancellationToken ct)
    {
        await SavedSearches.DeleteAsync(db, Me, id, ct);
        return LocalRedirect("/for-you");
    }

    public async Task<IActionResult> OnPostFollowCategoryAsync([FromForm] string? name, CancellationToken ct)
    {
        if (await DailyPapers.Library.Follows.SetAsync(db, Me, FollowKind.Category, name, true, ct) is { } error) return await WithErrorAsync(error, ct);
        return LocalRedirect("/for-you");
    }

    public async Task<IActionResult> OnPostNewFeedTokenAsync(CancellationToken ct)
    {
        await LibraryEndpoints.ForYouFeedTokenAsync(db, Me, true, ct);
        return LocalRedirect("/for-you");
    }

    private async Task<IActionResult> WithErrorAsync(string error, CancellationToken ct)
    {
        await OnGetAsync(null, null, ct);
        Error = error;
        Response.StatusCode = 400;
        HttpContext.Features.Get<Microsoft.AspNetCore.Diagnostics.IStatusCodePagesFeature>()?.Enabled = false;
        return Page();
    }
}
