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

/// <summary>POST /feedback/not-interested/{arxivId} sets or clears "not interested"; htmx gets the card's buttons, a plain form a redirect back.</summary>
[Authorize]
public sealed class NotInterestedModel(AppDbContext db) : PageModel
{
    public ProblemView Problem { get; private set; } = ProblemView.NotFound("Nothing here.");

    public IActionResult OnGet(string? id) => ArxivId.TryParse(id, out var arxivId) ? Redirect("/papers/" + arxivId) : NotFound();

    public async Task<IActionResult> OnPostAsync(string? id, [FromForm] bool? on, [FromForm] string? returnUrl, CancellationToken ct)
    {
        if (!ArxivId.TryParse(id, out var arxivId, out var error)) return this.ShowProblem(Problem = ProblemView.BadRequest(error));
        var p = await db.Papers.Named(arxivId).Select(p => new { p.Id, p.ArxivId }).FirstOrDefaultAsync(ct);
        if (p is null) return this.ShowProblem(Problem = ProblemView.NotFound(PaperLookup.NotHere(arxivId)));
        await Feedback.SetNotInterestedAsync(db, CommunitySetup.UserIdOf(HttpContext), p.Id, on ?? true, ct);
        var back = AccountPage.SafeReturn(returnUrl ?? "/for-you");
        if (Request.Headers.ContainsKey("HX-Request")) return await SaveModel.CardActionsAsync(this, db, p.Id, p.ArxivId, back, ct);
        return LocalRedirect(back);
    }
}
