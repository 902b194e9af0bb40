using DailyPapers.Community;
using DailyPapers.Data;
using DailyPapers.Library;
using DailyPapers.Pages.Account;
using DailyPapers.Papers;
using DailyPapers.Web;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace DailyPapers.Pages.Library;

/// <summary>
/// /library/save/{arxivId}: GET picks collections for a paper; POST adds or removes it (the Reading list when no collection
/// is named). An htmx request from a card gets the card's buttons back, a plain form a redirect.
/// </summary>
[Authorize]
public sealed class SaveModel(AppDbContext db) : PageModel
{
    public ProblemView? Problem { get; private set; }
    public string ArxivId { get; private set; } = "";
    public string Title { get; private set; } = "";
    public string ReturnUrl { get; private set; } = "/";
    public string? Error { get; private set; }
    public List<Collection> Collections { get; private set; } = [];
    public HashSet<long> In { get; private set; } = [];

    private string Me => CommunitySetup.UserIdOf(HttpContext);

    private async Task<(long Id, string ArxivId, string Title)?> PaperAsync(string? id, CancellationToken ct)
    {
        if (!DailyPapers.Papers.ArxivId.TryParse(id, out var arxivId, out var error)) { Problem = ProblemView.BadRequest(error); return null; }
        var p = await db.Papers.Named(arxivId).Select(p => new { p.Id, p.ArxivId, p.Title }).FirstOrDefaultAsync(ct);
        if (p is null) { Problem = ProblemView.NotFound(PaperLookup.NotHere(arxivId)); return null; }
        return (p.Id, p.ArxivId, p.Title);
    }

    public async Task<IActionResult> OnGetAsync(string? id, string? returnUrl, CancellationToken ct)
    {
        if (await PaperAsync(id, ct) is not { } p) return this.ShowProblem(Problem!);
        await LoadAsync(p, returnUrl, ct);
        return Page();
    }

    private async Task LoadAsync((long Id, string ArxivId, string Title) p, string? returnUrl, CancellationToken ct)
    {
        (ArxivId, Title) = (p.ArxivId, p.Title);
        ReturnUrl = AccountPage.SafeReturn(returnUrl ?? "/papers/" + p.ArxivId);
        Collections = await DailyPapers.Library.Collections.ListAsync(db, Me, ct);
        var ids = Collections.ConvertAll(c => c.Id);
        In = (await db.Set<CollectionItem>().Where(i => i.PaperId == p.Id && ids.Contains(i.CollectionId)).Select(i => i.CollectionId).ToListAsync(ct)).ToHashSet();
    }

    public async Task<IActionResult> OnPostAsync(string? id, [FromForm] long? collection, [FromForm] string? newName, [FromForm] bool? on,
        [FromForm] string? returnUrl, CancellationToken ct)
    {
        if (await PaperAsync(id, ct) is not { } p) return this.ShowProblem(Problem!);
        Collection? target;
        if (!string.IsNullOrWhiteSpace(newName))
        {
            (target, Error) = await DailyPapers.Library.Collections.CreateAsync(db, Me, newName, false, ct);
            if (target is null) return await Again(p, returnUrl, 400, ct);
        }
        else if (collection is { } cid)
        {
            target = await DailyPapers.Library.Collections.OwnedAsync(db, Me, cid, ct);
            if (target is null) return this.ShowProblem(Problem = ProblemView.NotFound("You have no such collection."));
        }
        else target = await DailyPapers.Library.Collections.ReadingListAsync(db, Me, ct);

        if (on ?? true)
        {
            if (!await DailyPapers.Library.Collections.AddAsync(db, target, p.Id, ct))
            {
                Error = $"Your library holds {DailyPapers.Library.Collections.MaxItems:N0} papers, the most it can; remove some first.";
                return await Again(p, returnUrl, 409, ct);
            }
        }
        else await DailyPapers.Library.Collections.RemoveAsync(db, target.Id, p.Id, ct);

        var back = AccountPage.SafeReturn(returnUrl ?? "/papers/" + p.ArxivId);
        if (Request.Headers.ContainsKey("HX-Request")) return await CardActionsAsync(this, db, p.Id, p.ArxivId, back, ct);
        return LocalRedirect(back);
    }

    private async Task<IActionResult> Again((long Id, string ArxivId, string Title) p, string? returnUrl, int status, CancellationToken ct)
    {
        await LoadAsync(p, returnUrl, ct);
        Response.StatusCode = status;
        HttpContext.Features.Get<Microsoft.AspNetCore.Diagnostics.IStatusCodePagesFeature>()?.Enabled = false;
        return Page();
    }

    /// <summary>The card's buttons in their new state (the htmx answer of save and "not interested").</summary>
    internal static async Task<IActionResult> CardActionsAsync(PageModel page, AppDbContext db, long paperId, string arxivId, string back, CancellationToken ct)
    {
        var me = CommunitySetup.UserIdOf(page.HttpContext);
        var saved = (await DailyPapers.Library.Collections.SavedAmongAsync(db, me, [paperId], ct)).Count > 0;
        var not = await db.Set<NotInterested>().AnyAsync(n => n.UserId == me && n.PaperId == paperId, ct);
        var partial = page.Partial("_LibraryButtons", new CardActions(paperId, arxivId, saved, not));
        partial.ViewData["ReturnUrl"] = back;
        return partial;
    }
}
