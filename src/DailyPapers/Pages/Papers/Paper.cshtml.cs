using DailyPapers.Community;
using DailyPapers.Data;
using DailyPapers.Papers;
using DailyPapers.Search;
using DailyPapers.Web;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace DailyPapers.Pages.Papers;

public sealed class PaperModel(AppDbContext db, PaperSearch search) : PageModel
{
    public IReadOnlyList<PaperCard> Similar { get; private set; } = [];
    public Paper? Paper { get; private set; }
    public ProblemView? Problem { get; private set; }

    public async Task<IActionResult> OnGetAsync(string? id, CancellationToken ct)
    {
        if (!ArxivId.TryParse(id, out var arxivId, out var error))
            return this.ShowProblem(Problem = ProblemView.BadRequest(error));
        Paper = await db.Papers.Named(arxivId).AsSplitQuery()
            .Include(p => p.Versions).Include(p => p.CategoryList)
            .FirstOrDefaultAsync(ct);
        if (Paper is null)
            return this.ShowProblem(Problem = ProblemView.NotFound(PaperLookup.NotHere(arxivId) + " It may not have been imported or harvested yet."));
        Similar = await search.SimilarAsync(Paper.Id, 5, ct);
        return Page();
    }

    /// <summary>Feature or unfeature (moderators only): <c>POST /papers/{id}?handler=feature</c> with <c>featured=true|false</c>.</summary>
    public async Task<IActionResult> OnPostFeatureAsync(string? id, [FromForm] bool featured, [FromServices] Featuring featuring, CancellationToken ct)
    {
        if (User.Identity?.IsAuthenticated != true)
            return Redirect("/account/login?returnUrl=" + Uri.EscapeDataString(Request.Path));
        if (!Featuring.MayFeature(User))
            return this.ShowProblem(Problem = new ProblemView(403, "Only moderators can feature papers", "Featuring puts a paper on the curated list; ask a moderator or an admin of this instance."));
        if (!ArxivId.TryParse(id, out var arxivId, out var error))
            return this.ShowProblem(Problem = ProblemView.BadRequest(error));
        if (!await featuring.SetAsync(arxivId, featured, CommunitySetup.UserIdOf(HttpContext), ct))
            return this.ShowProblem(Problem = ProblemView.NotFound(PaperLookup.NotHere(arxivId)));
        return Redirect("/papers/" + arxivId.BaseId);
    }
}
